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
  close(): Promise<void>;
}
