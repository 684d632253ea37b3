// SQLite consent log (better-sqlite3): WAL + synchronous=FULL, with group commit so many
// concurrent appends share one fsync while each caller still hears back only after its row
// is on disk.
import type { ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import { CONSENT_COLUMNS, consentSqlOrder, consentSqlWhere, normaliseQuery, normaliseRecord, recordValues } from './shared.js';
import { consentFromRow, type ConsentRow } from './consent-row.js';
import { migrateSqliteSchema, openSqliteDatabase, type SqliteDatabase, type SqliteOpenOptions } from './sqlite-db.js';

// Kept importable from here: adapters and tests predate sqlite-db.ts.
export {
  migrateSqliteSchema,
  openSqliteDatabase,
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
  type SqliteOpenOptions,
} from './sqlite-db.js';

const fromRow = (row: ConsentRow<string>): ConsentRecord => consentFromRow(row, (at) => at);

const SELECT_COLUMNS = CONSENT_COLUMNS;

interface Pending {
  record: ConsentRecord;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

export interface SqliteConsentLogOptions extends SqliteOpenOptions {
  path: string;
  /** Flush as soon as this many appends are waiting, without waiting for setImmediate. */
  maxBatch?: number;
}

export class SqliteConsentLog implements ConsentLog {
  readonly kind = 'sqlite';
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly maxBatch: number;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private insertTx: ((records: ConsentRecord[]) => boolean[]) | undefined;
  private readonly counters = { commits: 0, appends: 0 };

  constructor(options: SqliteConsentLogOptions) {
    this.path = options.path;
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
    this.db = openSqliteDatabase(options.path, options);
  }

  /** Prepared on first use: the table exists only after migrate(). */
  private insertBatch(records: ConsentRecord[]): boolean[] {
    if (this.insertTx === undefined) {
      const insert = this.db.prepare(
        `INSERT INTO consents (${SELECT_COLUMNS}, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (call_sid, decision) DO NOTHING`,
      );
      const tx = this.db.transaction((rows: ConsentRecord[]) => {
        const now = new Date().toISOString();
        return rows.map((r) => insert.run(...recordValues(r), now).changes === 1);
      });
      // IMMEDIATE: take the write lock up front instead of failing on a lock upgrade.
      this.insertTx = (rows) => tx.immediate(rows);
    }
    return this.insertTx(records);
  }

  async migrate(): Promise<void> {
    this.assertOpen();
    migrateSqliteSchema(this.db);
  }

  append(record: ConsentRecord): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      if (this.closed) throw new Error('consent log is closed');
      // Validate before queueing so a malformed record cannot fail its batch neighbours.
      this.pending.push({ record: normaliseRecord(record), resolve, reject });
      if (this.pending.length >= this.maxBatch) {
        this.flush();
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued append in one transaction (one fsync for the whole batch). */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let results: boolean[];
    try {
      results = this.insertBatch(batch.map((p) => p.record));
    } catch (err) {
      // Rows were validated, so a failure here (lock timeout, I/O, disk full) concerns the
      // whole transaction: nothing of it is committed, every caller hears the error.
      for (const p of batch) p.reject(err);
      return;
    }
    this.counters.commits += 1;
    this.counters.appends += batch.length;
    batch.forEach((p, i) => p.resolve({ inserted: results[i] === true }));
  }

  /** Group-commit counters: committed transactions and the appends they carried. */
  stats(): { commits: number; appends: number } {
    return { ...this.counters };
  }

  /** The durability settings in force on this connection. */
  settings(): { journalMode: string; synchronous: number; busyTimeoutMs: number } {
    this.assertOpen();
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
    };
  }

  async list(query?: ConsentQuery): Promise<ConsentRecord[]> {
    this.assertOpen();
    const q = normaliseQuery(query);
    const params: Record<string, string | number> = {};
    const param = (v: string) => {
      const name = `p${Object.keys(params).length}`;
      params[name] = v;
      return `@${name}`;
    };
    const same = (c: string) => c;
    // LIKE is case-insensitive for ASCII in SQLite.
    const where = consentSqlWhere(q, param, same, (c, p) => `${c} LIKE ${p}`, same);
    const sql = `SELECT ${SELECT_COLUMNS} FROM consents
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ${consentSqlOrder(q, same, (v) => {
        params.limit = Number(v);
        return '@limit';
      })}`;
    return (this.db.prepare(sql).all(params) as ConsentRow<string>[]).map(fromRow);
  }

  /** A real committed write to a probe row: fails on a read-only file, lock timeout or I/O error. */
  async check(): Promise<void> {
    this.assertOpen();
    this.db
      .prepare('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at')
      .run(new Date().toISOString());
  }

  // --- Spool support (not part of the port) ---------------------------------------------

  /** Oldest rows first, at most `limit`. */
  peek(limit: number): ConsentRecord[] {
    this.assertOpen();
    return (
      this.db
        .prepare(`SELECT ${SELECT_COLUMNS} FROM consents ORDER BY at, call_sid, decision LIMIT ?`)
        .all(Math.max(0, Math.trunc(limit))) as ConsentRow<string>[]
    ).map(fromRow);
  }

  /** Deletes the given (callSid, decision) rows in one transaction; returns how many went. */
  remove(keys: readonly Pick<ConsentRecord, 'callSid' | 'decision'>[]): number {
    this.assertOpen();
    const del = this.db.prepare('DELETE FROM consents WHERE call_sid = ? AND decision = ?');
    const tx = this.db.transaction((rows: readonly Pick<ConsentRecord, 'callSid' | 'decision'>[]) => {
      let n = 0;
      for (const r of rows) n += del.run(r.callSid, r.decision).changes;
      return n;
    });
    return tx.immediate(keys);
  }

  count(): number {
    this.assertOpen();
    const row = this.db.prepare('SELECT count(*) AS n FROM consents').get() as { n: number };
    return row.n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Commit what callers are already waiting for before letting go of the file.
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('consent log is closed');
  }
}
