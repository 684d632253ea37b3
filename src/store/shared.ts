// Helpers shared by the store adapters: validation/normalisation of consent records (so every
// backend stores the same canonical form), the canonical ordering, timeouts, the logger shape.
import { CONSENT_FIELDS, type ConsentDecision, type ConsentRecord } from '../consent/record.js';
import type { ConsentQuery, EmergencyClosure } from './ports.js';

const DECISIONS: readonly ConsentDecision[] = ['granted', 'declined'];

// An explicit offset is required: a zone-less time would be read in the server's local zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Canonical ISO form (toISOString) so lexicographic order equals time order. */
export function normaliseInstant(value: string, field: string): string {
  const ms = typeof value === 'string' && ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new RangeError(`${field} is not an ISO 8601 instant with offset`);
  }
  return new Date(ms).toISOString();
}

/** SQL column names in CONSENT_FIELDS order (callSid → call_sid), shared by both SQL adapters. */
export const CONSENT_COLUMNS = CONSENT_FIELDS.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(', ');

/** The record's values in CONSENT_FIELDS order: the column order of both SQL adapters. */
export function recordValues(r: ConsentRecord): string[] {
  return CONSENT_FIELDS.map((f) => r[f]);
}

/** Validates a record and returns a copy with `at` normalised; throws on a malformed record. */
export function normaliseRecord(record: ConsentRecord): ConsentRecord {
  const textFields = CONSENT_FIELDS.filter((f) => f !== 'at' && f !== 'decision');
  for (const field of textFields) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new TypeError(`consent ${field} must be a non-empty string`);
    }
  }
  if (!DECISIONS.includes(record.decision)) {
    throw new TypeError('consent decision must be granted or declined');
  }
  return {
    callSid: record.callSid,
    at: normaliseInstant(record.at, 'at'),
    caller: record.caller,
    decision: record.decision,
    language: record.language,
    route: record.route,
    noticeId: record.noticeId,
    noticeVersion: record.noticeVersion,
    noticeSha256: record.noticeSha256,
    flowVersion: record.flowVersion,
  };
}

export function normaliseQuery(query: ConsentQuery | undefined): ConsentQuery {
  const out: ConsentQuery = {};
  if (query?.since !== undefined) out.since = normaliseInstant(query.since, 'since');
  if (query?.until !== undefined) out.until = normaliseInstant(query.until, 'until');
  if (query?.callSid !== undefined) out.callSid = query.callSid;
  if (query?.callSidPrefix !== undefined) {
    // Letters and digits only: safe inside LIKE without escaping.
    if (!/^[A-Za-z0-9]{1,64}$/.test(query.callSidPrefix))
      throw new Error(`callSidPrefix must be letters and digits, got ${JSON.stringify(query.callSidPrefix)}`);
    out.callSidPrefix = query.callSidPrefix.toUpperCase();
  }
  if (query?.decision !== undefined) out.decision = query.decision;
  if (query?.order === 'desc') out.order = 'desc';
  if (query?.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1) throw new Error(`limit must be a positive whole number, got ${query.limit}`);
    out.limit = query.limit;
  }
  if (query?.after !== undefined)
    out.after = { at: normaliseInstant(query.after.at, 'after.at'), callSid: query.after.callSid, decision: query.after.decision };
  return out;
}

export function recordKey(record: Pick<ConsentRecord, 'callSid' | 'decision'>): string {
  return `${record.callSid}\u0000${record.decision}`;
}

/** The port's order (at, callSid, decision) with binary string comparison, as SQLite does. */
export function compareRecords(a: ConsentRecord, b: ConsentRecord): number {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.at, b.at) || cmp(a.callSid, b.callSid) || cmp(a.decision, b.decision);
}

export function matchesQuery(record: ConsentRecord, query: ConsentQuery): boolean {
  if (query.since !== undefined && record.at < query.since) return false;
  if (query.until !== undefined && record.at >= query.until) return false;
  if (query.callSid !== undefined && record.callSid !== query.callSid) return false;
  if (query.callSidPrefix !== undefined && !record.callSid.toUpperCase().startsWith(query.callSidPrefix)) return false;
  if (query.decision !== undefined && record.decision !== query.decision) return false;
  if (query.after !== undefined) {
    const c = compareRecords(record, query.after as ConsentRecord);
    if (query.order === 'desc' ? c >= 0 : c <= 0) return false;
  }
  return true;
}

/** Sorts in the query's order and applies its limit: the in-memory form of ORDER BY … LIMIT. */
export function orderAndLimit(records: ConsentRecord[], query: ConsentQuery): ConsentRecord[] {
  const sorted = records.sort(query.order === 'desc' ? (a, b) => compareRecords(b, a) : compareRecords);
  return query.limit !== undefined ? sorted.slice(0, query.limit) : sorted;
}

/**
 * WHERE terms of a query for both SQL adapters; `param(value)` adds a parameter and returns its
 * placeholder, `text(column)` wraps a text column for byte-order comparison.
 */
export function consentSqlWhere(
  q: ConsentQuery,
  param: (value: string) => string,
  text: (column: string) => string,
  upperLike: (column: string, placeholder: string) => string,
  at: (placeholder: string) => string,
): string[] {
  const where: string[] = [];
  if (q.since !== undefined) where.push(`at >= ${at(param(q.since))}`);
  if (q.until !== undefined) where.push(`at < ${at(param(q.until))}`);
  if (q.callSid !== undefined) where.push(`call_sid = ${param(q.callSid)}`);
  if (q.callSidPrefix !== undefined) where.push(upperLike('call_sid', param(`${q.callSidPrefix}%`)));
  if (q.decision !== undefined) where.push(`decision = ${param(q.decision)}`);
  if (q.after !== undefined) {
    const op = q.order === 'desc' ? '<' : '>';
    const a = at(param(q.after.at));
    const c = param(q.after.callSid);
    const d = param(q.after.decision);
    where.push(
      `(at ${op} ${a} OR (at = ${a} AND (${text('call_sid')} ${op} ${c} OR (call_sid = ${c} AND ${text('decision')} ${op} ${d}))))`,
    );
  }
  return where;
}

/** ORDER BY … LIMIT of a query for both SQL adapters. */
export function consentSqlOrder(q: ConsentQuery, text: (column: string) => string, param: (value: string) => string): string {
  const dir = q.order === 'desc' ? ' DESC' : '';
  return `ORDER BY at${dir}, ${text('call_sid')}${dir}, ${text('decision')}${dir}${q.limit !== undefined ? ` LIMIT ${param(String(q.limit))}` : ''}`;
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Rejects after `ms`; the underlying operation is not cancelled (callers must tolerate that). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The pino-compatible subset the stores log through (never pass full caller numbers). */
export interface StoreLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export const silentLogger: StoreLogger = {
  warn: () => undefined,
  error: () => undefined,
  info: () => undefined,
};

/** Validates a closure and puts its instants in toISOString form (shared by all adapters). */
export function normaliseClosure(closure: EmergencyClosure): EmergencyClosure {
  if (typeof closure.schedule !== 'string' || closure.schedule === '') {
    throw new TypeError('closure schedule must be a non-empty string');
  }
  if (typeof closure.reason !== 'string') throw new TypeError('closure reason must be a string');
  return {
    schedule: closure.schedule,
    until: normaliseInstant(closure.until, 'until'),
    reason: closure.reason,
    since: normaliseInstant(closure.since, 'since'),
  };
}
