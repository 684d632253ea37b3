// The consent table's row shape and its mapping to a record, shared by both SQL adapters
// (they differ only in how `at` comes back: a Date from pg, ISO text from SQLite).
import type { ConsentRecord } from '../consent/record.js';

export interface ConsentRow<At> {
  call_sid: string;
  at: At;
  caller: string;
  decision: ConsentRecord['decision'];
  language: string;
  route: string;
  notice_id: string;
  notice_version: string;
  notice_sha256: string;
  flow_version: string;
}

export function consentFromRow<At>(row: ConsentRow<At>, at: (value: At) => string): ConsentRecord {
  return {
    callSid: row.call_sid,
    at: at(row.at),
    caller: row.caller,
    decision: row.decision,
    language: row.language,
    route: row.route,
    noticeId: row.notice_id,
    noticeVersion: row.notice_version,
    noticeSha256: row.notice_sha256,
    flowVersion: row.flow_version,
  };
}
