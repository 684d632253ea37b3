// Session versions in this process only (tests, and a single instance without a database).
import type { SessionStore } from './session-port.js';

export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  private readonly versions = new Map<string, number>();

  async migrate(): Promise<void> {}

  async version(user: string): Promise<number> {
    return this.versions.get(user) ?? 0;
  }

  async endSessions(user: string): Promise<number> {
    const next = (this.versions.get(user) ?? 0) + 1;
    this.versions.set(user, next);
    return next;
  }

  async close(): Promise<void> {}
}
