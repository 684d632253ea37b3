// A consent log that never loses an acknowledged consent when the primary (PostgreSQL) is
// down: appends that cannot reach the primary in time go to a local durable SQLite spool,
// and a replay loop moves them to the primary once it answers again.
//
// Circuit breaker: once degraded, appends go straight to the spool (no per-call timeout on a
// dead server); the replay loop probes the primary every interval and closes the circuit
// after the first successful primary write.
import type { ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import type { SqliteConsentLog } from './sqlite-consent-log.js';
import {
  errorMessage,
  normaliseQuery,
  normaliseRecord,
  orderAndLimit,
  recordKey,
  silentLogger,
  withTimeout,
  type StoreLogger,
} from './shared.js';

export interface SpoolingConsentLogOptions {
  primary: ConsentLog;
  /** Its own file, never the primary's data: rows are deleted once replayed. */
  spool: SqliteConsentLog;
  /** How long an append waits for the primary before spooling instead. */
  primaryTimeoutMs?: number;
  replayIntervalMs?: number;
  /** Rows moved per primary round trip batch during replay. */
  replayBatch?: number;
  logger?: StoreLogger;
}

export interface SpoolHealth {
  degraded: boolean;
  spooled: number;
}

export class SpoolingConsentLog implements ConsentLog {
  readonly kind: string;
  private readonly primary: ConsentLog;
  private readonly spool: SqliteConsentLog;
  private readonly timeoutMs: number;
  private readonly intervalMs: number;
  private readonly batch: number;
  private readonly logger: StoreLogger;
  private primaryMigrated = false;
  private degraded = false;
  private lastSpooled = 0;
  private replaying: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: SpoolingConsentLogOptions) {
    this.primary = options.primary;
    this.spool = options.spool;
    this.kind = `${options.primary.kind}+spool`;
    this.timeoutMs = options.primaryTimeoutMs ?? 2000;
    this.intervalMs = options.replayIntervalMs ?? 2000;
    this.batch = Math.max(1, options.replayBatch ?? 100);
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * The spool must migrate (a broken spool is fatal); a primary that is down only degrades
   * the log, and the replay loop keeps retrying its migration.
   */
  async migrate(): Promise<void> {
    await this.spool.migrate();
    try {
      await withTimeout(this.primary.migrate(), Math.max(this.timeoutMs, 5000), 'primary migrate');
      this.primaryMigrated = true;
    } catch (err) {
      this.markDegraded(err, 'primary migration failed; consents go to the local spool');
    }
    this.startTimer();
    if (this.primaryMigrated && this.spooledNow() > 0) this.kick();
  }

  async append(record: ConsentRecord): Promise<AppendResult> {
    if (this.closed) throw new Error('consent log is closed');
    // Validation errors are the caller's bug: reject them, do not spool them.
    const r = normaliseRecord(record);
    if (this.primaryMigrated && !this.degraded) {
      try {
        const result = await withTimeout(this.primary.append(r), this.timeoutMs, 'primary append');
        if (this.lastSpooled > 0) this.kick();
        return result;
      } catch (err) {
        this.markDegraded(err, 'primary append failed; consents go to the local spool');
      }
    }
    // Durable once this resolves (synchronous=FULL). `inserted` is relative to the spool: a
    // row already in the primary is reported as inserted and deduplicated on replay.
    const result = await this.spool.append(r);
    this.lastSpooled = this.spooledNow();
    return { ...result, spooled: true };
  }

  /** Everything acknowledged: primary rows plus any not yet replayed; throws if the primary is down. */
  async list(query?: ConsentQuery): Promise<ConsentRecord[]> {
    const q = normaliseQuery(query);
    try {
      await withTimeout(this.replay(), this.timeoutMs, 'replay before list');
    } catch {
      // Rows left in the spool are merged below.
    }
    const [fromPrimary, fromSpool] = await Promise.all([this.primary.list(q), this.spool.list(q)]);
    const byKey = new Map<string, ConsentRecord>();
    for (const r of fromPrimary) byKey.set(recordKey(r), r);
    for (const r of fromSpool) if (!byKey.has(recordKey(r))) byKey.set(recordKey(r), r);
    return orderAndLimit([...byKey.values()], q);
  }

  /** Ready when appends can be made durable, i.e. when the spool is writable. */
  check(): Promise<void> {
    return this.spool.check();
  }

  health(): SpoolHealth {
    return { degraded: this.degraded || !this.primaryMigrated, spooled: this.spooledNow() };
  }

  /** Runs a replay (after any one in progress); resolves with the rows it moved. */
  async replayNow(): Promise<number> {
    if (this.replaying !== undefined) await this.replaying.catch(() => 0);
    return this.replay();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.replaying?.catch(() => 0);
    await Promise.allSettled([this.primary.close(), this.spool.close()]);
  }

  private startTimer(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => {
      if (!this.primaryMigrated || this.degraded || this.spooledNow() > 0) this.kick();
    }, this.intervalMs);
    // Never keep the process alive just to replay.
    this.timer.unref();
  }

  private kick(): void {
    if (this.closed) return;
    this.replay().catch(() => undefined);
  }

  /** One replay at a time; callers arriving meanwhile share it. */
  private replay(): Promise<number> {
    if (this.replaying === undefined) {
      this.replaying = this.replayOnce()
        .catch((err: unknown) => {
          this.markDegraded(err, 'replay to the primary failed; will retry');
          throw err;
        })
        .finally(() => {
          this.replaying = undefined;
        });
    }
    return this.replaying;
  }

  private async replayOnce(): Promise<number> {
    if (this.closed) return 0;
    if (!this.primaryMigrated) {
      await withTimeout(this.primary.migrate(), Math.max(this.timeoutMs, 5000), 'primary migrate');
      this.primaryMigrated = true;
    }
    let moved = 0;
    for (;;) {
      const rows = this.spool.peek(this.batch);
      if (rows.length === 0) break;
      const results = await Promise.allSettled(rows.map((r) => withTimeout(this.primary.append(r), this.timeoutMs, 'replay append')));
      // Delete from the spool only what the primary committed (a duplicate counts: it is there).
      const committed = rows.filter((_, i) => results[i]?.status === 'fulfilled');
      if (committed.length > 0) {
        this.spool.remove(committed);
        moved += committed.length;
        this.markHealthy(moved);
      }
      const failure = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    }
    if (this.degraded) {
      await withTimeout(this.primary.check(), this.timeoutMs, 'primary check');
      this.markHealthy(moved);
    }
    this.lastSpooled = this.spooledNow();
    return moved;
  }

  private markDegraded(err: unknown, msg: string): void {
    if (!this.degraded) {
      this.logger.warn({ err: errorMessage(err), store: this.kind }, msg);
    }
    this.degraded = true;
  }

  private markHealthy(moved: number): void {
    if (this.degraded) {
      this.logger.info({ store: this.kind, replayed: moved }, 'primary consent log reachable again');
    }
    this.degraded = false;
  }

  private spooledNow(): number {
    if (this.closed) return this.lastSpooled;
    try {
      this.lastSpooled = this.spool.count();
    } catch {
      // Keep the last known figure for health reporting.
    }
    return this.lastSpooled;
  }
}
