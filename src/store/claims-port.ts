// Claims: "this was done once", kept in the shared store so that a retried or duplicated
// webhook (Twilio's I-Twilio-Idempotency-Token), on any instance, never does it twice — e.g.
// starting a call recording. One interface; adapters: sqlite, postgres, memory (tests).
export interface ClaimStore {
  readonly kind: string;
  /** Creates the table; safe when several processes call it at the same moment. */
  migrate(): Promise<void>;
  /**
   * Claims `key` at `at` (ISO instant): true for the one caller, on any instance, that gets it
   * first; false when it was already claimed. Atomic (a unique key), durable once resolved.
   */
  claim(key: string, at: string): Promise<boolean>;
  /**
   * Deletes the claims made before `before` (ISO instant); returns how many. Idempotent, so
   * every instance may run it: a repeat or a concurrent run deletes nothing more.
   */
  deleteBefore(before: string): Promise<number>;
  close(): Promise<void>;
}

/** Rows one DELETE statement of deleteBefore removes at most (the SQL adapters loop); tests set it small. */
export const CLAIM_DELETE_BATCH = 5000;
