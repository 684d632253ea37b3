// SQLite consent log (better-sqlite3): WAL + synchronous=FULL, with group commit so many
// concurrent appends share one fsync while each caller still hears back only after its row
// is on disk.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import { CONSENT_COLUMNS, consentSqlOrder, consentSqlWhere, normaliseQuery, normaliseRecord, recordValues } from './shared.js';
import { guardSharedMemory } from './sqlite-shm-guard.js';

export type SqliteDatabase = Database.Database;

export interface SqliteOpenOptions {
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** Opens (creating the parent directory) a database in WAL mode with durable commits. */
export function openSqliteDatabase(path: string, options: SqliteOpenOptions = {}): SqliteDatabase {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so a resolved append survives power loss.
    db.pragma('synchronous = FULL');
    return guardSharedMemory(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * One migration list per database file (the consent log and the switch store may share a
 * file). Versions are append-only: never edit a released step, add a new one.
 */
const SQLITE_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS consents (
        call_sid       TEXT NOT NULL,
        at             TEXT NOT NULL,
        caller         TEXT NOT NULL,
        decision       TEXT NOT NULL CHECK (decision IN ('granted', 'declined')),
        language       TEXT NOT NULL,
        route          TEXT NOT NULL,
        notice_id      TEXT NOT NULL,
        notice_version TEXT NOT NULL,
        notice_sha256  TEXT NOT NULL,
        flow_version   TEXT NOT NULL,
        recorded_at    TEXT NOT NULL,
        PRIMARY KEY (call_sid, decision)
      );
      CREATE INDEX IF NOT EXISTS consents_at ON consents (at, call_sid, decision);
      CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE IF NOT EXISTS emergency_closures (
        schedule TEXT PRIMARY KEY,
        until    TEXT NOT NULL,
        reason   TEXT NOT NULL,
        since    TEXT NOT NULL
      );
    `,
  },
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/**
 * Applies missing migrations in one BEGIN IMMEDIATE transaction: a second process blocks on
 * the write lock (busy_timeout), then sees the versions already recorded and does nothing.
 */
export function migrateSqliteSchema(db: SqliteDatabase): void {
  const apply = db.transaction(() => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const step of SQLITE_MIGRATIONS) {
      if (done.has(step.version)) continue;
      db.exec(step.sql);
      record.run(step.version, new Date().toISOString());
    }
  });
  apply.immediate();
}

interface ConsentRow {
  call_sid: string;
  at: string;
  caller: string;
  decision: ConsentRecord['decision'];
  language: string;
  route: string;
  notice_id: string;
  notice_version: string;
  notice_sha256: string;
  flow_version: string;
}

function fromRow(row: ConsentRow): ConsentRecord {
  return {
    callSid: row.call_sid,
    at: row.at,
    caller: row.caller,
    decision: row.decision,
    language: row.language,
    route: row.route,
    noticeId: row.notice_id,
    noticeVersion: row.notice_version,
    noticeSha256: row.notice_sha256,
    flowVersion: row.flow_version,
  };
}

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
        return rows.map(
          (r) =>
            insert.run(...recordValues(r), now).changes === 1,
        );
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
    return (this.db.prepare(sql).all(params) as ConsentRow[]).map(fromRow);
  }

  /** A real committed write to a probe row: fails on a read-only file, lock timeout or I/O error. */
  async check(): Promise<void> {
    this.assertOpen();
    this.db
      .prepare(
        'INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at',
      )
      .run(new Date().toISOString());
  }

  // --- Spool support (not part of the port) ---------------------------------------------

  /** Oldest rows first, at most `limit`. */
  peek(limit: number): ConsentRecord[] {
    this.assertOpen();
    return (
      this.db
        .prepare(`SELECT ${SELECT_COLUMNS} FROM consents ORDER BY at, call_sid, decision LIMIT ?`)
        .all(Math.max(0, Math.trunc(limit))) as ConsentRow[]
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
