// Session versions in the SQLite database (one host: the server and the CLI share the file).
import type { SessionStore } from './session-port.js';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-db.js';

export class SqliteSessionStore implements SessionStore {
  readonly kind = 'sqlite';
  private readonly db: SqliteDatabase;

  constructor(options: { path: string }) {
    this.db = openSqliteDatabase(options.path);
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS console_session_versions (user TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  }

  async version(user: string): Promise<number> {
    const row = this.db.prepare('SELECT version FROM console_session_versions WHERE user = ?').get(user) as { version: number } | undefined;
    return row?.version ?? 0;
  }

  async endSessions(user: string): Promise<number> {
    const row = this.db
      .prepare(
        `INSERT INTO console_session_versions (user, version) VALUES (?, 1)
         ON CONFLICT (user) DO UPDATE SET version = version + 1 RETURNING version`,
      )
      .get(user) as { version: number };
    return row.version;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
