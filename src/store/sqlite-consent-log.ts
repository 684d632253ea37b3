// SQLite consent log (better-sqlite3): WAL + synchronous=FULL, with group commit so many
// concurrent appends share one fsync while each caller still hears back only after its row
// is on disk. The commits run on a worker thread: while one batch is fsynced the main thread
// keeps answering calls, and the appends that arrive meanwhile form the next batch.
import { CONSENT_FIELDS, type ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import { CONSENT_COLUMNS, consentSqlOrder, consentSqlWhere, normaliseQuery, normaliseRecord, recordValues } from './shared.js';
import { consentFromRow, type ConsentRow } from './consent-row.js';
import { migrateSqliteSchema, openSqliteDatabase, type SqliteDatabase, type SqliteOpenOptions } from './sqlite-db.js';
import { SqliteWriteWorker } from './sqlite-write-worker.js';

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
  /** At most this many appends share one commit (the rest wait for the next). */
  maxBatch?: number;
}

export class SqliteConsentLog implements ConsentLog {
  readonly kind = 'sqlite';
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly maxBatch: number;
  private readonly writer: SqliteWriteWorker;
  private pending: Pending[] = [];
  private flushScheduled = false;
  /** The batch being committed; the next waits for it (one fsync at a time, batches in order). */
  private committing: Promise<void> | undefined;
  private closed = false;
  private readonly counters = { commits: 0, appends: 0 };

  constructor(options: SqliteConsentLogOptions) {
    this.path = options.path;
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
    this.db = openSqliteDatabase(options.path, options);
    this.writer = new SqliteWriteWorker({
      path: options.path,
      synchronous: 'FULL',
      name: 'consent writer',
      guarded: this.db,
      statements: {
        consent: {
          sql: `INSERT INTO consents (${SELECT_COLUMNS}, recorded_at) VALUES {values} ON CONFLICT (call_sid, decision) DO NOTHING`,
          columns: CONSENT_FIELDS.length + 1, // and recorded_at
        },
      },
    });
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
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushScheduled || this.committing !== undefined) return;
    this.flushScheduled = true;
    // After this turn's other appends: they share the commit.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Commits the queued appends (up to maxBatch) in one transaction: one fsync for the batch. */
  private flush(): Promise<void> {
    if (this.committing !== undefined) return this.committing;
    const batch = this.pending.splice(0, this.maxBatch);
    if (batch.length === 0) return Promise.resolve();
    this.committing = this.commit(batch).finally(() => {
      this.committing = undefined;
      if (this.pending.length > 0) void this.flush();
    });
    return this.committing;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let changes: number[];
    try {
      const recordedAt = new Date().toISOString();
      changes = await this.writer.write(
        'consent',
        batch.map((p) => [...recordValues(p.record), recordedAt]),
      );
    } catch (err) {
      // Rows were validated, so a failure here (lock timeout, I/O, disk full) concerns the
      // whole transaction: nothing of it is committed, every caller hears the error.
      for (const p of batch) p.reject(err);
      return;
    }
    this.counters.commits += 1;
    this.counters.appends += batch.length;
    batch.forEach((p, i) => p.resolve({ inserted: changes[i] === 1 }));
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
    this.closed = true;
    // Commit what callers are already waiting for before letting go of the file.
    while (this.committing !== undefined || this.pending.length > 0) await this.flush();
    await this.writer.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('consent log is closed');
  }
}
