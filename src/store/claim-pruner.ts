// Deletes old webhook claims, hourly, on every instance (a DELETE of rows older than a cutoff is
// idempotent, so no instance needs to be elected for it). A claim only has to outlive the call
// it guards ("recording:<CallSid>": a call lasts at most a day at Twilio, a retried webhook
// comes within minutes), so a week is ample and keeps the table to a week of recorded calls.
// Not JOURNEY_RETENTION_DAYS: that is how long reports look back, and 0 there keeps forever.
import type { ClaimStore } from './claims-port.js';
import { errorMessage, silentLogger, type StoreLogger } from './shared.js';

export const CLAIM_RETENTION_DAYS = 7;
const RETENTION_MS = CLAIM_RETENTION_DAYS * 86_400_000;

export interface ClaimPrunerOptions {
  store: ClaimStore;
  /** Hourly by default. */
  intervalMs?: number;
  now?: () => number;
  logger?: StoreLogger;
}

export class ClaimPruner {
  private readonly timer: NodeJS.Timeout;
  private readonly logger: StoreLogger;
  private readonly now: () => number;
  private running: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly opts: ClaimPrunerOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => void this.prune(), opts.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  /** Deletes the claims older than the retention; returns how many went. Never throws. */
  prune(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.running ??= this.deleteOld().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async deleteOld(): Promise<number> {
    try {
      const n = await this.opts.store.deleteBefore(new Date(this.now() - RETENTION_MS).toISOString());
      if (n > 0) this.logger.info({ deleted: n, retentionDays: CLAIM_RETENTION_DAYS }, 'old webhook claims deleted');
      return n;
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'old webhook claims could not be deleted; retried later');
      return 0;
    }
  }

  /** Stops the timer and waits for a run in progress; the store's owner closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }
}
