// In-memory claims: one process only (tests, and an app built without a shared store).
import type { ClaimStore } from './claims-port.js';
import { normaliseInstant } from './shared.js';

export class MemoryClaimStore implements ClaimStore {
  readonly kind = 'memory';
  private readonly claimed = new Map<string, string>();

  async migrate(): Promise<void> {}

  async claim(key: string, at: string): Promise<boolean> {
    const when = normaliseInstant(at, 'at');
    if (this.claimed.has(key)) return false;
    this.claimed.set(key, when);
    return true;
  }

  async deleteBefore(before: string): Promise<number> {
    const cutoff = normaliseInstant(before, 'before');
    let deleted = 0;
    for (const [key, when] of this.claimed) {
      if (when < cutoff) {
        this.claimed.delete(key);
        deleted++;
      }
    }
    return deleted;
  }

  async close(): Promise<void> {}
}
