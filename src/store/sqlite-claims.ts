// SQLite claims, in the consent database file: INSERT OR IGNORE on a primary key is atomic
// across the processes sharing the file.
import type { ClaimStore } from './claims-port.js';
import { normaliseInstant } from './shared.js';
import { SqliteAdapter, type SqliteFileOptions } from './sqlite-db.js';

export class SqliteClaimStore extends SqliteAdapter implements ClaimStore {
  readonly kind = 'sqlite';

  /** Usually in the consent log's file. */
  constructor(options: SqliteFileOptions) {
    super(options, 'claim store');
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
}
