// PostgreSQL switch store, for deployments with PostgreSQL and no Redis. Reads go to the
// database each call (a CLI's write is seen at once); when the database is unreachable the
// last successfully read closures are served, so an outage keeps switches in force.
import type pg from 'pg';
import type { EmergencyClosure, SwitchStore } from './ports.js';
import { dropPostgresTables, migratePostgresSchema } from './postgres-consent-log.js';
import { createPostgresPool, postgresTables, type PostgresOptions, type PostgresTables } from './postgres-db.js';
import { errorMessage, normaliseClosure, silentLogger, type StoreLogger } from './shared.js';

export interface PostgresSwitchStoreOptions extends PostgresOptions {
  /** How often onChange listeners poll for changes made by other instances. */
  pollIntervalMs?: number;
}

interface ClosureRow {
  schedule: string;
  until: Date;
  reason: string;
  since: Date;
}

export class PostgresSwitchStore implements SwitchStore {
  readonly kind = 'postgres';
  readonly pool: pg.Pool;
  readonly tablePrefix: string;
  private readonly t: PostgresTables;
  private readonly logger: StoreLogger;
  private readonly pollIntervalMs: number;
  private readonly listeners = new Set<() => void>();
  private lastKnown: EmergencyClosure[] = [];
  private lastSnapshot = '[]';
  private connected = false;
  private warned = false;
  private poller: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: PostgresSwitchStoreOptions) {
    this.tablePrefix = options.tablePrefix ?? '';
    this.t = postgresTables(this.tablePrefix);
    this.logger = options.logger ?? silentLogger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pool = createPostgresPool({ poolMax: 2, queryTimeoutMs: 2000, ...options });
  }

  async migrate(): Promise<void> {
    await migratePostgresSchema(this.pool, this.tablePrefix);
    await this.closures();
  }

  async closures(): Promise<EmergencyClosure[]> {
    try {
      const result = await this.pool.query<ClosureRow>(
        `SELECT schedule, until, reason, since FROM ${this.t.closures} ORDER BY schedule COLLATE "C"`,
      );
      this.lastKnown = result.rows.map((r) => ({
        schedule: r.schedule,
        until: r.until.toISOString(),
        reason: r.reason,
        since: r.since.toISOString(),
      }));
      if (this.warned) this.logger.info({ store: this.kind }, 'switch store reachable again');
      this.connected = true;
      this.warned = false;
    } catch (err) {
      if (!this.warned) {
        this.logger.warn(
          { err: errorMessage(err), store: this.kind },
          'postgres switch store unavailable; keeping the last known closures',
        );
      }
      this.connected = false;
      this.warned = true;
    }
    return this.lastKnown.map((c) => ({ ...c }));
  }

  async setClosure(closure: EmergencyClosure): Promise<void> {
    const c = normaliseClosure(closure);
    await this.pool.query(
      `INSERT INTO ${this.t.closures} (schedule, until, reason, since)
       VALUES ($1, $2::timestamptz, $3, $4::timestamptz)
       ON CONFLICT (schedule) DO UPDATE
         SET until = excluded.until, reason = excluded.reason, since = excluded.since`,
      [c.schedule, c.until, c.reason, c.since],
    );
    this.poke();
  }

  async clearClosure(schedule: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${this.t.closures} WHERE schedule = $1`, [schedule]);
    this.poke();
    return (result.rowCount ?? 0) > 0;
  }

  /** Polls (no LISTEN connection to babysit); fires when the closures differ from the last poll. */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
    if (this.poller !== undefined || this.closed) return;
    this.lastSnapshot = JSON.stringify(this.lastKnown);
    this.poller = setInterval(() => this.poke(), this.pollIntervalMs);
    this.poller.unref();
  }

  health(): { connected: boolean } {
    return { connected: this.connected };
  }

  /** Test helper: drops this prefix's tables. */
  dropTables(): Promise<void> {
    return dropPostgresTables(this.pool, this.tablePrefix);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poller !== undefined) clearInterval(this.poller);
    this.listeners.clear();
    await this.pool.end();
  }

  private poke(): void {
    if (this.listeners.size === 0 || this.closed) return;
    void this.closures().then((list) => {
      const snapshot = JSON.stringify(list);
      const changed = snapshot !== this.lastSnapshot;
      this.lastSnapshot = snapshot;
      if (!changed) return;
      for (const listener of this.listeners) {
        try {
          listener();
        } catch (err) {
          this.logger.error({ err: errorMessage(err) }, 'switch change listener threw');
        }
      }
    });
  }
}
