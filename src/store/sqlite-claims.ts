// SQLite claims, in the consent database file: INSERT OR IGNORE on a primary key is atomic
// across the processes sharing the file.
import { CLAIM_DELETE_BATCH, type ClaimStore } from './claims-port.js';
import { normaliseInstant } from './shared.js';
import { SqliteAdapter, type SqliteFileOptions } from './sqlite-db.js';

export interface SqliteClaimStoreOptions extends SqliteFileOptions {
  deleteBatch?: number;
}

export class SqliteClaimStore extends SqliteAdapter implements ClaimStore {
  readonly kind = 'sqlite';
  private readonly deleteBatch: number;

  /** Usually in the consent log's file. */
  constructor(options: SqliteClaimStoreOptions) {
    super(options, 'claim store');
    this.deleteBatch = options.deleteBatch ?? CLAIM_DELETE_BATCH;
  }

  async migrate(): Promise<void> {
    this.assertOpen();
    // Its own IF NOT EXISTS (not a numbered migration): the table is independent of the others.
    this.db.exec('CREATE TABLE IF NOT EXISTS webhook_claims (claim_key TEXT PRIMARY KEY, claimed_at TEXT NOT NULL)');
  }

  async claim(key: string, at: string): Promise<boolean> {
    this.assertOpen();
    const result = this.db
      .prepare('INSERT OR IGNORE INTO webhook_claims (claim_key, claimed_at) VALUES (?, ?)')
      .run(key, normaliseInstant(at, 'at'));
    return result.changes > 0;
  }

  async deleteBefore(before: string): Promise<number> {
    this.assertOpen();
    const cutoff = normaliseInstant(before, 'before');
    // In batches, yielding in between: the first run may meet a long backlog, and the write lock
    // (and this synchronous driver) is shared with the consents and the calls being answered.
    const batch = this.db.prepare(
      'DELETE FROM webhook_claims WHERE rowid IN (SELECT rowid FROM webhook_claims WHERE claimed_at < ? LIMIT ?)',
    );
    let deleted = 0;
    for (;;) {
      this.assertOpen();
      const { changes } = batch.run(cutoff, this.deleteBatch);
      deleted += changes;
      if (changes < this.deleteBatch) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
