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
  if (query?.callSid !== undefined) out.callSid = query.callSid;
  if (query?.decision !== undefined) out.decision = query.decision;
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
  if (query.callSid !== undefined && record.callSid !== query.callSid) return false;
  if (query.decision !== undefined && record.decision !== query.decision) return false;
  return true;
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
