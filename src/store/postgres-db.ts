// The one PostgreSQL module every postgres-* adapter builds on: options, pool creation,
// table prefixing, transactions and the advisory-locked migration runner.
import pg from 'pg';
import { errorMessage, type StoreLogger } from './shared.js';

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

/** The quoted name of `name` under a table prefix; throws on a prefix that is not an identifier. */
export function prefixedTable(prefix: string, name: string): string {
  if (!PREFIX_RE.test(prefix)) {
    throw new Error('tablePrefix must be lowercase letters, digits and underscores');
  }
  return `"${prefix}${name}"`;
}

/** Quoted identifiers for the consent log's tables of one prefix. */
export function postgresTables(prefix = ''): PostgresTables {
  return {
    consents: prefixedTable(prefix, 'consents'),
    migrations: prefixedTable(prefix, 'schema_migrations'),
    closures: prefixedTable(prefix, 'emergency_closures'),
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

/** Runs `fn` in one transaction on one pooled client: COMMIT on success, ROLLBACK on a throw. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Runs DDL under a transaction-scoped advisory lock: CREATE … IF NOT EXISTS alone races when
 * several instances start at once, so they queue on the lock instead.
 */
export function createUnderLock(pool: pg.Pool, lockKey: number, sql: string): Promise<void> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
    await client.query(sql);
  });
}

/**
 * Applies the steps not yet recorded in `migrationsTable`, in one transaction under an advisory
 * lock: concurrent starters queue on the lock, and the later ones find the versions recorded.
 */
export function runPostgresMigrations(
  pool: pg.Pool,
  lockKey: number,
  migrationsTable: string,
  steps: readonly { version: number; sql: string }[],
): Promise<void> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${migrationsTable} (
         version    integer     PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${migrationsTable}`)).rows.map((r) => r.version));
    for (const step of steps) {
      if (done.has(step.version)) continue;
      await client.query(step.sql);
      await client.query(`INSERT INTO ${migrationsTable} (version) VALUES ($1)`, [step.version]);
    }
  });
}

/** An adapter's own pool: created with the adapter's defaults under the caller's options, ended once. */
export abstract class PostgresAdapter {
  readonly pool: pg.Pool;
  protected closed = false;

  private tablesReady: Promise<void> | undefined;

  protected constructor(options: PostgresOptions, defaults: Partial<PostgresOptions>) {
    this.pool = createPostgresPool({ ...defaults, ...options });
  }

  /**
   * Creates the adapter's own tables (`CREATE … IF NOT EXISTS` under `lockKey`) once; after a
   * failure (the server down at start) the next use tries again.
   */
  protected ensureTables(lockKey: number, sql: string): Promise<void> {
    this.tablesReady ??= createUnderLock(this.pool, lockKey, sql).catch((err: unknown) => {
      this.tablesReady = undefined;
      throw err;
    });
    return this.tablesReady;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
