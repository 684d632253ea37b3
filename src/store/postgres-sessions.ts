// Session versions in PostgreSQL (several instances without Redis).
import type pg from 'pg';
import { createPostgresPool, type PostgresOptions } from './postgres-db.js';
import type { SessionStore } from './session-port.js';

export class PostgresSessionStore implements SessionStore {
  readonly kind = 'postgres';
  readonly table: string;
  private readonly pool: pg.Pool;

  constructor(options: PostgresOptions) {
    const prefix = options.tablePrefix ?? '';
    if (!/^[a-z0-9_]*$/i.test(prefix)) throw new Error('table prefix: letters, digits and underscores only');
    this.table = `${prefix}console_session_versions`;
    this.pool = createPostgresPool({ poolMax: 2, queryTimeoutMs: 2000, ...options });
  }

  async migrate(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.table} (username TEXT PRIMARY KEY, version BIGINT NOT NULL)`);
  }

  async version(user: string): Promise<number> {
    const r = await this.pool.query<{ version: string }>(`SELECT version FROM ${this.table} WHERE username = $1`, [user]);
    return Number(r.rows[0]?.version ?? 0);
  }

  async endSessions(user: string): Promise<number> {
    const r = await this.pool.query<{ version: string }>(
      `INSERT INTO ${this.table} (username, version) VALUES ($1, 1)
       ON CONFLICT (username) DO UPDATE SET version = ${this.table}.version + 1 RETURNING version`,
      [user],
    );
    return Number(r.rows[0]?.version);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /** Tests only: removes the table. */
  async drop(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.table}`);
  }
}
