// PostgreSQL consent log (pg Pool). Each append is its own autocommit INSERT, so a resolved
// append is committed; the unique key (call_sid, decision) makes appends idempotent.
import type pg from 'pg';
import type { ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import { consentFromRow, type ConsentRow } from './consent-row.js';
import { createPostgresPool, postgresTables, runPostgresMigrations, type PostgresOptions, type PostgresTables } from './postgres-db.js';
import { CONSENT_COLUMNS, consentSqlOrder, consentSqlWhere, normaliseQuery, normaliseRecord, recordValues } from './shared.js';

// Kept importable from here: adapters and tests predate postgres-db.ts.
export { createPostgresPool, postgresTables, type PostgresOptions, type PostgresTables } from './postgres-db.js';

// Serialises migrations of every infoline instance (any prefix) on one database.
const MIGRATION_LOCK_KEY = 7_264_001;

function migrations(t: PostgresTables, prefix: string): readonly { version: number; sql: string }[] {
  return [
    {
      version: 1,
      sql: `
        CREATE TABLE IF NOT EXISTS ${t.consents} (
          call_sid       text        NOT NULL,
          at             timestamptz NOT NULL,
          caller         text        NOT NULL,
          decision       text        NOT NULL CHECK (decision IN ('granted', 'declined')),
          language       text        NOT NULL,
          route          text        NOT NULL,
          notice_id      text        NOT NULL,
          notice_version text        NOT NULL,
          notice_sha256  text        NOT NULL,
          flow_version   text        NOT NULL,
          recorded_at    timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (call_sid, decision)
        );
        CREATE INDEX IF NOT EXISTS "${prefix}consents_at" ON ${t.consents} (at);
      `,
    },
    {
      version: 2,
      sql: `
        CREATE TABLE IF NOT EXISTS ${t.closures} (
          schedule text        PRIMARY KEY,
          until    timestamptz NOT NULL,
          reason   text        NOT NULL,
          since    timestamptz NOT NULL
        );
      `,
    },
  ];
}

/**
 * Applies missing migrations in one transaction under a transaction-scoped advisory lock:
 * concurrent starters queue on the lock, and the later ones find the versions recorded.
 */
export function migratePostgresSchema(pool: pg.Pool, prefix = ''): Promise<void> {
  const t = postgresTables(prefix);
  return runPostgresMigrations(pool, MIGRATION_LOCK_KEY, t.migrations, migrations(t, prefix));
}

/** Drops every table of a prefix (tests clean up their isolated tables with this). */
export async function dropPostgresTables(pool: pg.Pool, prefix: string): Promise<void> {
  const t = postgresTables(prefix);
  await pool.query(`DROP TABLE IF EXISTS ${t.consents}, ${t.closures}, ${t.migrations}`);
}

const COLUMNS = CONSENT_COLUMNS;

export class PostgresConsentLog implements ConsentLog {
  readonly kind = 'postgres';
  readonly pool: pg.Pool;
  readonly tablePrefix: string;
  private readonly t: PostgresTables;
  private closed = false;
  /** Appends in flight: close() lets them commit instead of tearing the pool down under them. */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(options: PostgresOptions) {
    this.tablePrefix = options.tablePrefix ?? '';
    this.t = postgresTables(this.tablePrefix);
    this.pool = createPostgresPool(options);
  }

  migrate(): Promise<void> {
    return migratePostgresSchema(this.pool, this.tablePrefix);
  }

  append(record: ConsentRecord): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('consent log is closed'));
    let r: ConsentRecord;
    try {
      r = normaliseRecord(record);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const op = this.insert(r);
    this.inflight.add(op);
    const forget = (): void => {
      this.inflight.delete(op);
    };
    op.then(forget, forget);
    return op;
  }

  private async insert(r: ConsentRecord): Promise<AppendResult> {
    const result = await this.pool.query(
      `INSERT INTO ${this.t.consents} (${COLUMNS})
       VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (call_sid, decision) DO NOTHING
       RETURNING 1`,
      recordValues(r),
    );
    return { inserted: result.rowCount === 1 };
  }

  async list(query?: ConsentQuery): Promise<ConsentRecord[]> {
    const q = normaliseQuery(query);
    const params: (string | number)[] = [];
    const param = (v: string) => {
      params.push(v);
      return `$${params.length}`;
    };
    // COLLATE "C": byte order, the same order SQLite gives, whatever the database locale.
    const bytes = (c: string) => `${c} COLLATE "C"`;
    const where = consentSqlWhere(
      q,
      param,
      bytes,
      (c, p) => `upper(${c}) LIKE ${p}`,
      (p) => `${p}::timestamptz`,
    );
    const order = consentSqlOrder(q, bytes, (v) => {
      params.push(Number(v));
      return `$${params.length}`;
    });
    const result = await this.pool.query<ConsentRow<Date>>(
      `SELECT ${COLUMNS} FROM ${this.t.consents}
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ${order}`,
      params,
    );
    return result.rows.map((row) => consentFromRow(row, (at) => at.toISOString()));
  }

  /** Throws when the server is unreachable, a read-only standby, or the table is missing. */
  async check(): Promise<void> {
    const result = await this.pool.query<{ recovery: boolean; ro: string; can_insert: boolean }>(
      `SELECT pg_is_in_recovery() AS recovery,
              current_setting('transaction_read_only') AS ro,
              has_table_privilege($1, 'INSERT') AS can_insert`,
      [this.t.consents],
    );
    const row = result.rows[0];
    if (row === undefined || row.recovery || row.ro === 'on' || !row.can_insert) {
      throw new Error('postgres consent log is not writable');
    }
  }

  /** Test helper: drops this prefix's tables. */
  dropTables(): Promise<void> {
    return dropPostgresTables(this.pool, this.tablePrefix);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    await this.pool.end();
  }
}
