// The one SQLite module every sqlite-* adapter builds on: opening a file (WAL, durable commits,
// the -shm guard), the shared migration list and the table-creating transaction.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { guardSharedMemory } from './sqlite-shm-guard.js';

export type SqliteDatabase = Database.Database;

export interface SqliteOpenOptions {
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** A store's file: its own, or the consent log's (the store's own tables, created if missing). */
export interface SqliteFileOptions extends SqliteOpenOptions {
  path: string;
}

/** Opens (creating the parent directory) a database in WAL mode with durable commits. */
export function openSqliteDatabase(path: string, options: SqliteOpenOptions = {}): SqliteDatabase {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    enableWal(db, busyTimeoutMs);
    // FULL: the WAL is fsynced at every commit, so a resolved append survives power loss.
    db.pragma('synchronous = FULL');
    return guardSharedMemory(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Switches a file to WAL. On a fresh file several processes opening it at once (the service and
 * the CLI, two instances) each hold a read lock and want the write lock: SQLite then answers
 * SQLITE_BUSY at once, without its busy handler (waiting could deadlock), so this waits a little
 * and tries again, within the busy timeout.
 */
function enableWal(db: SqliteDatabase, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, 5 + Math.random() * 20); // the constructor is synchronous: a blocking pause
    }
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
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const step of SQLITE_MIGRATIONS) {
      if (done.has(step.version)) continue;
      db.exec(step.sql);
      record.run(step.version, new Date().toISOString());
    }
  });
  apply.immediate();
}

/** Runs table-creating DDL in one BEGIN IMMEDIATE transaction (concurrent starters wait on the write lock). */
export function createTablesImmediate(db: SqliteDatabase, sql: string): void {
  db.transaction(() => {
    db.exec(sql);
  }).immediate();
}

/** An adapter's own connection to a database file: closed once, unusable afterwards. */
export abstract class SqliteAdapter {
  protected readonly db: SqliteDatabase;
  private closed = false;

  protected constructor(
    options: SqliteFileOptions,
    private readonly what: string,
  ) {
    this.db = openSqliteDatabase(options.path, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  protected assertOpen(): void {
    if (this.closed) throw new Error(`${this.what} is closed`);
  }
}
