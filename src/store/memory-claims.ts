// In-memory claims: one process only (tests, and an app built without a shared store).
import type { ClaimStore } from './claims-port.js';

export class MemoryClaimStore implements ClaimStore {
  readonly kind = 'memory';
  private readonly claimed = new Map<string, string>();

  async migrate(): Promise<void> {}

  async claim(key: string, at: string): Promise<boolean> {
    if (this.claimed.has(key)) return false;
    this.claimed.set(key, at);
    return true;
  }

  async close(): Promise<void> {}
}
