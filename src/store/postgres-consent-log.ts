// PostgreSQL consent log (pg Pool). Each append is its own autocommit INSERT, so a resolved
// append is committed; the unique key (call_sid, decision) makes appends idempotent.
import pg from 'pg';
import type { ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import { CONSENT_COLUMNS, consentSqlOrder, consentSqlWhere, errorMessage, normaliseQuery, normaliseRecord, recordValues, type StoreLogger } from './shared.js';

export interface PostgresOptions {
  connectionString: string;
  /** Prepended to every table name (tests use `t_<random>_`); letters, digits, underscore. */
  tablePrefix?: string;
  poolMax?: number;
  /** Give up connecting after this long (a down server must not hang callers). */
  connectTimeoutMs?: number;
  /** Client-side limit per query; a black-holed connection fails instead of hanging. */
  queryTimeoutMs?: number;
  logger?: StoreLogger;
}

export interface PostgresTables {
  consents: string;
  migrations: string;
  closures: string;
}

const PREFIX_RE = /^[a-z_][a-z0-9_]{0,40}$|^$/;

/** Quoted identifiers for the tables of one prefix. */
export function postgresTables(prefix = ''): PostgresTables {
  if (!PREFIX_RE.test(prefix)) {
    throw new Error('tablePrefix must be lowercase letters, digits and underscores');
  }
  return {
    consents: `"${prefix}consents"`,
    migrations: `"${prefix}schema_migrations"`,
    closures: `"${prefix}emergency_closures"`,
  };
}

export function createPostgresPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    query_timeout: options.queryTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle client losing its connection emits here; without a listener the process dies.
  pool.on('error', (err) => {
    options.logger?.warn({ err: errorMessage(err) }, 'postgres idle client error');
  });
  return pool;
}

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
export async function migratePostgresSchema(pool: pg.Pool, prefix = ''): Promise<void> {
  const t = postgresTables(prefix);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${t.migrations} (
         version    integer     PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${t.migrations}`)).rows.map(
        (r) => r.version,
      ),
    );
    for (const step of migrations(t, prefix)) {
      if (done.has(step.version)) continue;
      await client.query(step.sql);
      await client.query(`INSERT INTO ${t.migrations} (version) VALUES ($1)`, [step.version]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Drops every table of a prefix (tests clean up their isolated tables with this). */
export async function dropPostgresTables(pool: pg.Pool, prefix: string): Promise<void> {
  const t = postgresTables(prefix);
  await pool.query(`DROP TABLE IF EXISTS ${t.consents}, ${t.closures}, ${t.migrations}`);
}

interface ConsentRow {
  call_sid: string;
  at: Date;
  caller: string;
  decision: ConsentRecord['decision'];
  language: string;
  route: string;
  notice_id: string;
  notice_version: string;
  notice_sha256: string;
  flow_version: string;
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
    const where = consentSqlWhere(q, param, bytes, (c, p) => `upper(${c}) LIKE ${p}`, (p) => `${p}::timestamptz`);
    const order = consentSqlOrder(q, bytes, (v) => {
      params.push(Number(v));
      return `$${params.length}`;
    });
    const result = await this.pool.query<ConsentRow>(
      `SELECT ${COLUMNS} FROM ${this.t.consents}
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ${order}`,
      params,
    );
    return result.rows.map((row) => ({
      callSid: row.call_sid,
      at: row.at.toISOString(),
      caller: row.caller,
      decision: row.decision,
      language: row.language,
      route: row.route,
      noticeId: row.notice_id,
      noticeVersion: row.notice_version,
      noticeSha256: row.notice_sha256,
      flowVersion: row.flow_version,
    }));
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
