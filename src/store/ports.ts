// Ports for the durable and shared state. One interface each; one file per adapter;
// one contract suite (test/store/*.contract.ts) that every adapter must pass.
import type { ConsentDecision, ConsentRecord } from '../consent/record.js';
import type { EmergencyClosure } from '../hours/types.js';

// The closure is a domain type (hours/); adapters keep importing it from here.
export type { EmergencyClosure };

export interface ConsentQuery {
  /** ISO instant; only records with at >= since. */
  since?: string;
  /** ISO instant; only records with at < until. */
  until?: string;
  callSid?: string;
  /** Records whose CallSid starts with this (letters and digits, case-insensitive). */
  callSidPrefix?: string;
  decision?: ConsentDecision;
  /** 'asc' (default): oldest first; 'desc': newest first — (at, callSid, decision) reversed. */
  order?: 'asc' | 'desc';
  /** At most this many records (paging: the store reads no more). */
  limit?: number;
  /** The cursor: only records after this one in the chosen order (the last one of the page before). */
  after?: ConsentKey;
}

/** A record's place in the order. */
export interface ConsentKey {
  at: string;
  callSid: string;
  decision: ConsentDecision;
}

export interface AppendResult {
  /** false when a record for the same (callSid, decision) already existed: idempotent. */
  inserted: boolean;
  /** true when the record went to the local spool because the primary store is unreachable. */
  spooled?: boolean;
}

export interface ConsentLog {
  readonly kind: string;
  /** Creates or upgrades the schema; safe when several processes call it at the same moment. */
  migrate(): Promise<void>;
  /** Resolves only once the record is durable (on disk / committed). */
  append(record: ConsentRecord): Promise<AppendResult>;
  /** Records ordered by (at, callSid, decision), or the reverse with order 'desc'. */
  list(query?: ConsentQuery): Promise<ConsentRecord[]>;
  /** Throws when the log cannot be written right now (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export interface SwitchStore {
  readonly kind: string;
  migrate(): Promise<void>;
  /** Every closure currently stored (expired ones included: callers compare `until` with now). */
  closures(): Promise<EmergencyClosure[]>;
  setClosure(closure: EmergencyClosure): Promise<void>;
  /** Returns true when a closure was removed. */
  clearClosure(schedule: string): Promise<boolean>;
  /** Called after any change made by any process/instance (best effort; may be a no-op poll). */
  onChange?(listener: () => void): void;
  close(): Promise<void>;
}
