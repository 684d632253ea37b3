// Deletes what is older than a retention, at start when asked and then hourly, on every instance:
// a DELETE of rows older than a cutoff is idempotent, so no instance needs to be elected for it.
// Journeys (JOURNEY_RETENTION_DAYS) and webhook claims (a week) both use it.
import { errorMessage, silentLogger, type StoreLogger } from './shared.js';

const DAY_MS = 86_400_000;

export interface RetentionPrunerOptions {
  store: { deleteBefore(before: string): Promise<number> };
  /** Days kept; 0 keeps everything (no timer, prune() deletes nothing). */
  retentionDays: number;
  /** What is deleted, for the log lines ("old journey events deleted"). */
  what: string;
  /** Hourly by default. */
  intervalMs?: number;
  now?: () => number;
  logger?: StoreLogger;
  /** Told how many went (a metric). */
  onDeleted?: (n: number) => void;
}

export class RetentionPruner {
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly logger: StoreLogger;
  private readonly now: () => number;
  private running: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly opts: RetentionPrunerOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    if (opts.retentionDays > 0) {
      this.timer = setInterval(() => void this.prune(), opts.intervalMs ?? 3_600_000);
      this.timer.unref();
    }
  }

  /** Deletes what is older than the retention; returns how many went. Never throws. */
  prune(): Promise<number> {
    if (this.closed || this.opts.retentionDays <= 0) return Promise.resolve(0);
    this.running ??= this.deleteOld().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async deleteOld(): Promise<number> {
    const { store, retentionDays, what } = this.opts;
    try {
      const n = await store.deleteBefore(new Date(this.now() - retentionDays * DAY_MS).toISOString());
      this.opts.onDeleted?.(n);
      if (n > 0) this.logger.info({ deleted: n, retentionDays }, `old ${what} deleted`);
      return n;
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, `old ${what} could not be deleted; retried later`);
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

// A claim only has to outlive the call it guards ("recording:<CallSid>": a call lasts at most a
// day at Twilio, a retried webhook comes within minutes), so a week is ample and keeps the table
// to a week of recorded calls. Not JOURNEY_RETENTION_DAYS: that is how long reports look back,
// and 0 there keeps forever.
export const CLAIM_RETENTION_DAYS = 7;

/** The webhook claims' pruner: a week kept. */
export class ClaimPruner extends RetentionPruner {
  constructor(opts: Omit<RetentionPrunerOptions, 'retentionDays' | 'what'>) {
    super({ ...opts, retentionDays: CLAIM_RETENTION_DAYS, what: 'webhook claims' });
  }
}
