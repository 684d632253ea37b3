// The batched journey writer: webhooks hand it events and return at once; a timer writes
// them every ~250 ms (or as soon as a batch is full). A store outage never reaches a caller:
// the buffer is bounded and drops its oldest events (counted) rather than growing or waiting.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { JourneyEvent } from '../report/journey.js';
import type { JourneyStore } from './journey-port.js';
import { RetentionPruner } from './retention-pruner.js';
import { errorMessage, silentLogger, type StoreLogger } from './shared.js';

export const DEFAULT_JOURNEY_RETENTION_DAYS = 90;

export interface JourneyRecorderOptions {
  store: JourneyStore;
  flushIntervalMs?: number;
  /** Write as soon as this many events wait. */
  maxBatch?: number;
  /** Events kept while the store is unreachable; beyond it the oldest are dropped. */
  maxBuffer?: number;
  /** Metrics go to this registry (the app's). */
  registry?: Registry | undefined;
  logger?: StoreLogger;
  /** Days journeys are kept (JOURNEY_RETENTION_DAYS); 0 keeps them forever. */
  retentionDays?: number;
  retentionIntervalMs?: number;
  /**
   * How long to wait before reading a call back from the store when its end is reported, so
   * that other instances have flushed their events of it (their flush interval and a margin).
   */
  settleMs?: number;
  now?: () => number;
}

export class JourneyRecorder {
  readonly store: JourneyStore;
  private buffer: JourneyEvent[] = [];
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffer: number;
  private readonly settleMs: number;
  private readonly logger: StoreLogger;
  private readonly now: () => number;
  private flushing: Promise<void> | undefined;
  private soon = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly pruner: RetentionPruner;
  private failing = false;
  private closed = false;
  private readonly dropped: Counter | undefined;
  private readonly failures: Counter | undefined;
  private readonly deleted: Counter | undefined;

  constructor(opts: JourneyRecorderOptions) {
    this.store = opts.store;
    this.flushIntervalMs = opts.flushIntervalMs ?? 250;
    // Large batches share index pages (the cost of a write); one holds SQLite's write lock
    // (shared with consents) a few ms at most, and fills only under a heavy load.
    this.maxBatch = opts.maxBatch ?? 1000;
    this.maxBuffer = opts.maxBuffer ?? 20_000;
    this.settleMs = opts.settleMs ?? 0;
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    const registers = opts.registry ? [opts.registry] : [];
    if (opts.registry) {
      this.dropped = new Counter({
        name: 'infoline_journey_events_dropped_total',
        help: 'Journey events dropped because the store was unreachable and the buffer full',
        registers,
      });
      this.failures = new Counter({
        name: 'infoline_journey_write_failures_total',
        help: 'Journey batches that could not be written (kept and retried)',
        registers,
      });
      this.deleted = new Counter({
        name: 'infoline_journey_events_deleted_total',
        help: 'Journey events deleted after JOURNEY_RETENTION_DAYS',
        registers,
      });
      const buffer = () => this.buffer.length;
      new Gauge({
        name: 'infoline_journey_buffered_events',
        help: 'Journey events waiting to be written',
        registers,
        collect() {
          this.set(buffer());
        },
      });
    }
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
    this.pruner = new RetentionPruner({
      store: this.store,
      retentionDays: opts.retentionDays ?? DEFAULT_JOURNEY_RETENTION_DAYS,
      what: 'journey events',
      intervalMs: opts.retentionIntervalMs,
      now: this.now,
      logger: this.logger,
      onDeleted: (n) => this.deleted?.inc(n),
    });
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Queues events for writing; never throws, never waits. */
  record(events: readonly JourneyEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.buffer.push(...events);
    this.trim();
    if (this.buffer.length >= this.maxBatch && !this.soon && !this.failing) {
      this.soon = true;
      setImmediate(() => {
        this.soon = false;
        void this.flush();
      });
    }
  }

  /** Writes everything buffered so far (one batch at a time); failures keep the events. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.maxBatch);
      try {
        await this.store.append(batch);
        if (this.failing) this.logger.info({ store: this.store.kind }, 'journey store writable again');
        this.failing = false;
      } catch (err) {
        if (err instanceof TypeError || err instanceof RangeError) {
          // A malformed event would fail every retry: drop its batch, keep the line going.
          this.dropped?.inc(batch.length);
          this.logger.error({ err: errorMessage(err), events: batch.length }, 'malformed journey events dropped');
          continue;
        }
        this.failures?.inc();
        if (!this.failing)
          this.logger.error(
            { err: errorMessage(err), store: this.store.kind, buffered: this.buffer.length + batch.length },
            'journey events could not be written; kept in memory and retried',
          );
        this.failing = true;
        this.buffer.unshift(...batch);
        this.trim();
        return;
      }
    }
  }

  private trim(): void {
    const over = this.buffer.length - this.maxBuffer;
    if (over > 0) {
      this.buffer.splice(0, over);
      this.dropped?.inc(over);
    }
  }

  /**
   * One call's events once everything known about it has been written: this instance's
   * buffer first, then a pause for other instances' batches.
   */
  async callEvents(callSid: string): Promise<JourneyEvent[]> {
    await this.flush();
    if (this.settleMs > 0) await new Promise((resolve) => setTimeout(resolve, this.settleMs));
    return this.store.call(callSid);
  }

  /** Deletes journeys older than the retention; returns how many events went. */
  prune(): Promise<number> {
    return this.pruner.prune();
  }

  /** Stops the timers and writes what is left (best effort); the store's owner closes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    await this.pruner.close();
    await this.flush().catch(() => undefined);
    this.closed = true;
  }
}
