// PostgreSQL claims: the instances of one deployment share them, so a retried webhook landing
// on another instance finds the first one's claim. INSERT … ON CONFLICT DO NOTHING is atomic.
import type pg from 'pg';
import type { ClaimStore } from './claims-port.js';
import { createPostgresPool, postgresTables, type PostgresOptions } from './postgres-consent-log.js';
import { normaliseInstant } from './shared.js';

// Serialises concurrent CREATE TABLE of several starting instances (IF NOT EXISTS alone races).
const CLAIMS_LOCK_KEY = 7_264_012;

export class PostgresClaimStore implements ClaimStore {
  readonly kind = 'postgres';
  readonly pool: pg.Pool;
  private readonly table: string;
  private closed = false;

  constructor(options: PostgresOptions) {
    const prefix = options.tablePrefix ?? '';
    postgresTables(prefix); // validates the prefix
    this.table = `"${prefix}webhook_claims"`;
    this.pool = createPostgresPool({ poolMax: 2, queryTimeoutMs: 5000, ...options });
  }

  /** Resolved once the table exists; retried on the next claim after a failure (an outage at start). */
  private migrated: Promise<void> | undefined;

  migrate(): Promise<void> {
    this.migrated ??= this.createTable().catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  private async createTable(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CLAIMS_LOCK_KEY]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (claim_key text PRIMARY KEY, claimed_at timestamptz NOT NULL)`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async claim(key: string, at: string): Promise<boolean> {
    await this.migrate();
    const result = await this.pool.query(
      `INSERT INTO ${this.table} (claim_key, claimed_at) VALUES ($1, $2::timestamptz) ON CONFLICT (claim_key) DO NOTHING`,
      [key, normaliseInstant(at, 'at')],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Test helper: drops this prefix's table. */
  async dropTable(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.table}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
