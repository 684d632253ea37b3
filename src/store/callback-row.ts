// The callbacks table's row shape, its mapping to a request and the id format, shared by the
// SQLite and PostgreSQL adapters (pg returns instants as Date, SQLite as ISO text).
import { randomBytes } from 'node:crypto';
import type { CallbackRequest, CallbackStatus } from './callback-port.js';

export interface CallbackRow<At> {
  id: string;
  requested_at: At;
  queue: string;
  route: string;
  lang: string;
  number: string;
  from_number: string;
  status: CallbackStatus;
  attempts: number;
  next_attempt_at: At;
  origin_call_sid: string;
  call_sid: string | null;
}

export function newCallbackId(): string {
  return `cb${randomBytes(6).toString('hex')}`;
}

export function callbackFromRow<At>(r: CallbackRow<At>, at: (value: At) => string): CallbackRequest {
  return {
    id: r.id,
    requestedAt: at(r.requested_at),
    queue: r.queue,
    route: r.route,
    lang: r.lang,
    number: r.number,
    from: r.from_number,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: at(r.next_attempt_at),
    originCallSid: r.origin_call_sid,
    callSid: r.call_sid ?? undefined,
  };
}
