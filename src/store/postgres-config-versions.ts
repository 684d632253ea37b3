// PostgreSQL config version store, next to the consent log (same table prefix). Its tables are
// created under their own advisory lock; an unreachable server at start is retried on first use.
import { PostgresAdapter, postgresTables, prefixedTable, type PostgresOptions } from './postgres-db.js';
import {
  filesFromJson,
  filesToJson,
  type ConfigVersionStore,
  noticeFromRow as fromRow,
  type NoticeRow,
  type NoticeText,
  type NoticeUsage,
} from './config-version-port.js';

const LOCK_KEY = 7_264_019;

export class PostgresConfigVersionStore extends PostgresAdapter implements ConfigVersionStore {
  readonly kind = 'postgres';
  private readonly versions: string;
  private readonly noticesTable: string;
  private readonly consents: string;

  constructor(options: PostgresOptions) {
    super(options, { poolMax: 2, queryTimeoutMs: 5000 });
    const prefix = options.tablePrefix ?? '';
    this.consents = postgresTables(prefix).consents;
    this.versions = prefixedTable(prefix, 'config_versions');
    this.noticesTable = prefixedTable(prefix, 'consent_notices');
  }

  migrate(): Promise<void> {
    return this.ensureTables(
      LOCK_KEY,
      `
        CREATE TABLE IF NOT EXISTS ${this.versions} (
          version   text        PRIMARY KEY,
          files     text        NOT NULL,
          stored_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE IF NOT EXISTS ${this.noticesTable} (
          version   text        PRIMARY KEY,
          notice_id text        NOT NULL,
          language  text        NOT NULL,
          sha256    text        NOT NULL,
          text      text        NOT NULL,
          stored_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
      `,
    );
  }

  async put(version: string, files: ReadonlyMap<string, string>, notices: readonly NoticeText[]): Promise<void> {
    await this.migrate();
    await this.pool.query(`INSERT INTO ${this.versions} (version, files) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING`, [
      version,
      filesToJson(files),
    ]);
    for (const n of notices) {
      await this.pool.query(
        `INSERT INTO ${this.noticesTable} (version, notice_id, language, sha256, text) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO NOTHING`,
        [n.version, n.noticeId, n.language, n.sha256, n.text],
      );
    }
  }

  async get(version: string): Promise<Map<string, string> | undefined> {
    await this.migrate();
    const r = await this.pool.query<{ files: string }>(`SELECT files FROM ${this.versions} WHERE version = $1`, [version]);
    const row = r.rows[0];
    return row ? filesFromJson(row.files) : undefined;
  }

  async notice(version: string): Promise<NoticeText | undefined> {
    await this.migrate();
    const r = await this.pool.query<NoticeRow>(
      `SELECT version, notice_id, language, sha256, text FROM ${this.noticesTable} WHERE version = $1`,
      [version],
    );
    const row = r.rows[0];
    return row ? fromRow(row) : undefined;
  }

  async notices(): Promise<NoticeText[]> {
    await this.migrate();
    const r = await this.pool.query<NoticeRow>(
      `SELECT version, notice_id, language, sha256, text FROM ${this.noticesTable} ORDER BY stored_at, version COLLATE "C"`,
    );
    return r.rows.map(fromRow);
  }

  async noticeUsage(): Promise<Map<string, NoticeUsage>> {
    const out = new Map<string, NoticeUsage>();
    try {
      const r = await this.pool.query<{ v: string; first: Date; last: Date }>(
        `SELECT notice_version AS v, min(at) AS first, max(at) AS last FROM ${this.consents} GROUP BY notice_version`,
      );
      for (const row of r.rows) out.set(row.v, { firstUsed: row.first.toISOString(), lastUsed: row.last.toISOString() });
    } catch (err) {
      // No consent table under this prefix (yet): nothing used. Anything else is a real failure.
      if ((err as { code?: unknown }).code !== '42P01') throw err;
    }
    return out;
  }

  /** Test helper: drops this store's tables. */
  async dropTables(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.versions}, ${this.noticesTable}`);
  }
}
