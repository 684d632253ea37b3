// SQLite config version store, in the consent log's file. Its tables are created here with
// IF NOT EXISTS inside one IMMEDIATE transaction (concurrent starters wait on the write lock).
import { createTablesImmediate, SqliteAdapter, type SqliteFileOptions } from './sqlite-db.js';
import {
  filesFromJson,
  filesToJson,
  type ConfigVersionStore,
  noticeFromRow as fromRow,
  type NoticeRow,
  type NoticeText,
  type NoticeUsage,
} from './config-version-port.js';

export class SqliteConfigVersionStore extends SqliteAdapter implements ConfigVersionStore {
  readonly kind = 'sqlite';

  constructor(options: SqliteFileOptions) {
    super(options, 'config version store');
  }

  async migrate(): Promise<void> {
    this.assertOpen();
    createTablesImmediate(
      this.db,
      `
        CREATE TABLE IF NOT EXISTS config_versions (
          version    TEXT PRIMARY KEY,
          files      TEXT NOT NULL,
          stored_at  TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS consent_notices (
          version    TEXT PRIMARY KEY,
          notice_id  TEXT NOT NULL,
          language   TEXT NOT NULL,
          sha256     TEXT NOT NULL,
          text       TEXT NOT NULL,
          stored_at  TEXT NOT NULL
        );
      `,
    );
  }

  async put(version: string, files: ReadonlyMap<string, string>, notices: readonly NoticeText[]): Promise<void> {
    this.assertOpen();
    const now = new Date().toISOString();
    const insertVersion = this.db.prepare(
      'INSERT INTO config_versions (version, files, stored_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING',
    );
    const insertNotice = this.db.prepare(
      'INSERT INTO consent_notices (version, notice_id, language, sha256, text, stored_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING',
    );
    const tx = this.db.transaction(() => {
      insertVersion.run(version, filesToJson(files), now);
      for (const n of notices) insertNotice.run(n.version, n.noticeId, n.language, n.sha256, n.text, now);
    });
    tx.immediate();
  }

  async get(version: string): Promise<Map<string, string> | undefined> {
    this.assertOpen();
    const row = this.db.prepare('SELECT files FROM config_versions WHERE version = ?').get(version) as { files: string } | undefined;
    return row ? filesFromJson(row.files) : undefined;
  }

  async notice(version: string): Promise<NoticeText | undefined> {
    this.assertOpen();
    const row = this.db.prepare('SELECT version, notice_id, language, sha256, text FROM consent_notices WHERE version = ?').get(version) as
      NoticeRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  async notices(): Promise<NoticeText[]> {
    this.assertOpen();
    const rows = this.db
      .prepare('SELECT version, notice_id, language, sha256, text FROM consent_notices ORDER BY stored_at, version')
      .all() as NoticeRow[];
    return rows.map(fromRow);
  }

  async noticeUsage(): Promise<Map<string, NoticeUsage>> {
    this.assertOpen();
    const out = new Map<string, NoticeUsage>();
    try {
      const rows = this.db
        .prepare('SELECT notice_version AS v, min(at) AS first, max(at) AS last FROM consents GROUP BY notice_version')
        .all() as { v: string; first: string; last: string }[];
      for (const r of rows) out.set(r.v, { firstUsed: r.first, lastUsed: r.last });
    } catch {
      // No consent table in this file (yet): no notice has been used.
    }
    return out;
  }
}
