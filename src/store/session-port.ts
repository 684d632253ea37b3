// Console session versions, shared by every instance: a session cookie carries the version
// of its user at sign-in; logout, a role change or removing the user raises the version, so
// every copy of every cookie of that user stops working on every instance at once.
export interface SessionStore {
  readonly kind: string;
  migrate(): Promise<void>;
  /** The user's current session version (0 if it was never raised). Throws when unreachable. */
  version(user: string): Promise<number>;
  /** Ends every session of the user: raises and returns the version. */
  endSessions(user: string): Promise<number>;
  close(): Promise<void>;
}
