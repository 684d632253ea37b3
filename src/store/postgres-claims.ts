// PostgreSQL claims: the instances of one deployment share them, so a retried webhook landing
// on another instance finds the first one's claim. INSERT … ON CONFLICT DO NOTHING is atomic.
import { CLAIM_DELETE_BATCH, type ClaimStore } from './claims-port.js';
import { PostgresAdapter, prefixedTable, type PostgresOptions } from './postgres-db.js';
import { normaliseInstant } from './shared.js';

// Serialises concurrent CREATE TABLE of several starting instances (IF NOT EXISTS alone races).
const CLAIMS_LOCK_KEY = 7_264_012;

export class PostgresClaimStore extends PostgresAdapter implements ClaimStore {
  readonly kind = 'postgres';
  private readonly table: string;
  private readonly deleteBatch: number;

  constructor(options: PostgresOptions & { deleteBatch?: number }) {
    super(options, { poolMax: 2, queryTimeoutMs: 5000 });
    this.table = prefixedTable(options.tablePrefix ?? '', 'webhook_claims');
    this.deleteBatch = options.deleteBatch ?? CLAIM_DELETE_BATCH;
  }

  /** Also run by every claim: a database down at start gets the table on the first claim. */
  migrate(): Promise<void> {
    return this.ensureTables(
      CLAIMS_LOCK_KEY,
      `CREATE TABLE IF NOT EXISTS ${this.table} (claim_key text PRIMARY KEY, claimed_at timestamptz NOT NULL)`,
    );
  }

  async claim(key: string, at: string): Promise<boolean> {
    await this.migrate();
    const result = await this.pool.query(
      `INSERT INTO ${this.table} (claim_key, claimed_at) VALUES ($1, $2::timestamptz) ON CONFLICT (claim_key) DO NOTHING`,
      [key, normaliseInstant(at, 'at')],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async deleteBefore(before: string): Promise<number> {
    const cutoff = normaliseInstant(before, 'before');
    await this.migrate();
    // In batches: one DELETE of a long backlog could outlast the query timeout and never finish.
    let deleted = 0;
    for (;;) {
      const result = await this.pool.query(
        `DELETE FROM ${this.table} WHERE claim_key IN (SELECT claim_key FROM ${this.table} WHERE claimed_at < $1::timestamptz LIMIT $2)`,
        [cutoff, this.deleteBatch],
      );
      const n = result.rowCount ?? 0;
      deleted += n;
      if (n < this.deleteBatch) return deleted;
    }
  }

  /** Test helper: drops this prefix's table. */
  async dropTable(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.table}`);
  }
}
