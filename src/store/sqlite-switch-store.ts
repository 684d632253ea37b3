// SQLite switch store. Every read asks the file whether anything changed (PRAGMA data_version,
// which moves when another connection commits), so a closure written by the CLI (another
// process) is in force on the next call of a running server; unchanged, the rows come from memory.
import type { EmergencyClosure, SwitchStore } from './ports.js';
import { migrateSqliteSchema, openSqliteDatabase, type SqliteDatabase, type SqliteOpenOptions } from './sqlite-db.js';
import { normaliseClosure } from './shared.js';

export interface SqliteSwitchStoreOptions extends SqliteOpenOptions {
  /** May be the consent log's file: the migrations of both live in one list. */
  path: string;
  /** How often onChange listeners poll for changes made by other processes. */
  pollIntervalMs?: number;
}

export class SqliteSwitchStore implements SwitchStore {
  readonly kind = 'sqlite';
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly pollIntervalMs: number;
  private readonly listeners = new Set<() => void>();
  private poller: NodeJS.Timeout | undefined;
  private lastDataVersion = -1;
  private lastSnapshot = '';
  private closed = false;

  constructor(options: SqliteSwitchStoreOptions) {
    this.path = options.path;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.db = openSqliteDatabase(options.path, options);
  }

  async migrate(): Promise<void> {
    this.assertOpen();
    migrateSqliteSchema(this.db);
  }

  async closures(): Promise<EmergencyClosure[]> {
    this.assertOpen();
    if (this.dataVersionQuery === undefined) {
      // pluck() returns the bare statement; keep the one prepare() gave (it may be guarded).
      const query = this.db.prepare('PRAGMA data_version');
      query.pluck();
      this.dataVersionQuery = query;
    }
    const version = this.dataVersionQuery.get() as number;
    if (this.cached === undefined || version !== this.cachedVersion) {
      this.cached = this.read();
      this.cachedVersion = version;
    }
    return this.cached;
  }

  async setClosure(closure: EmergencyClosure): Promise<void> {
    this.assertOpen();
    const c = normaliseClosure(closure);
    this.db
      .prepare(
        `INSERT INTO emergency_closures (schedule, until, reason, since) VALUES (?, ?, ?, ?)
         ON CONFLICT (schedule) DO UPDATE
           SET until = excluded.until, reason = excluded.reason, since = excluded.since`,
      )
      .run(c.schedule, c.until, c.reason, c.since);
    this.changedLocally();
  }

  async clearClosure(schedule: string): Promise<boolean> {
    this.assertOpen();
    const removed = this.db.prepare('DELETE FROM emergency_closures WHERE schedule = ?').run(schedule).changes > 0;
    if (removed) this.changedLocally();
    return removed;
  }

  /**
   * SQLite cannot push notifications across processes: poll PRAGMA data_version (changes
   * when another connection commits) and fire only when the closures themselves changed.
   */
  onChange(listener: () => void): void {
    this.assertOpen();
    this.listeners.add(listener);
    if (this.poller !== undefined) return;
    this.lastDataVersion = this.dataVersion();
    this.lastSnapshot = JSON.stringify(this.read());
    this.poller = setInterval(() => this.poll(), this.pollIntervalMs);
    this.poller.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poller !== undefined) clearInterval(this.poller);
    this.listeners.clear();
    this.db.close();
  }

  /** Prepared once, after migrate. */
  private selectAll: { all(): unknown[] } | undefined;
  private dataVersionQuery: { get(): unknown } | undefined;
  /** The closures as last read, and the data_version they were read at. */
  private cached: EmergencyClosure[] | undefined;
  private cachedVersion = -1;

  private read(): EmergencyClosure[] {
    this.assertOpen();
    this.selectAll ??= this.db.prepare('SELECT schedule, until, reason, since FROM emergency_closures ORDER BY schedule');
    return this.selectAll.all() as EmergencyClosure[];
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  private poll(): void {
    if (this.closed) return;
    try {
      const version = this.dataVersion();
      if (version === this.lastDataVersion) return;
      this.lastDataVersion = version;
      this.fireIfChanged();
    } catch {
      // A locked or vanished file: try again on the next tick.
    }
  }

  private changedLocally(): void {
    // data_version does not move for this connection's own commits.
    this.cached = undefined;
    if (this.listeners.size > 0) queueMicrotask(() => this.fireIfChanged());
  }

  private fireIfChanged(): void {
    if (this.closed) return;
    const snapshot = JSON.stringify(this.read());
    if (snapshot === this.lastSnapshot) return;
    this.lastSnapshot = snapshot;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // One faulty listener must not starve the others or stop the poller.
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('switch store is closed');
  }
}
