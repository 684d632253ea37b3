// PostgreSQL callback requests, for several instances on one database. Exactly-once placing
// uses PostgreSQL's own row locks: a claim is one transaction that takes a per-queue
// transaction-scoped advisory try-lock (so the "at most `concurrent` calling" count cannot be
// raced by another instance), picks due rows oldest first FOR UPDATE SKIP LOCKED and marks
// them calling. No leader, no lease table; a crashed instance's locks die with its session.
import type pg from 'pg';
import { maskCaller } from '../consent/record.js';
import type {
  CallbackQuery,
  CallbackRequest,
  CallbackSettlement,
  CallbackStore,
  ClaimOptions,
  CreateResult,
  NewCallback,
} from './callback-port.js';
import { inTransaction, PostgresAdapter, prefixedTable, type PostgresOptions } from './postgres-db.js';
import { callbackFromRow, newCallbackId, type CallbackRow } from './callback-row.js';

type Row = CallbackRow<Date>;

const fromRow = (r: Row): CallbackRequest => callbackFromRow(r, (at) => at.toISOString());

const MIGRATION_LOCK_KEY = 7_264_014;
const CLAIM_LOCK_CLASS = 7_264_015;

export class PostgresCallbackStore extends PostgresAdapter implements CallbackStore {
  readonly kind = 'postgres';
  private readonly prefix: string;
  private readonly t: { callbacks: string; drafts: string };

  constructor(options: PostgresOptions) {
    super(options, { poolMax: 4, queryTimeoutMs: 5000 });
    this.prefix = options.tablePrefix ?? '';
    this.t = { callbacks: prefixedTable(this.prefix, 'callbacks'), drafts: prefixedTable(this.prefix, 'callback_drafts') };
  }

  /** Also run on first use: a database that was down at start gets its tables then. */
  migrate(): Promise<void> {
    return this.ensureTables(
      MIGRATION_LOCK_KEY,
      `
        CREATE TABLE IF NOT EXISTS ${this.t.callbacks} (
          id              text        PRIMARY KEY,
          requested_at    timestamptz NOT NULL,
          queue           text        NOT NULL,
          route           text        NOT NULL,
          lang            text        NOT NULL,
          number          text        NOT NULL,
          from_number     text        NOT NULL,
          status          text        NOT NULL CHECK (status IN ('pending','calling','done','failed','cancelled')),
          attempts        integer     NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NOT NULL,
          origin_call_sid text        NOT NULL UNIQUE,
          call_sid        text,
          claimed_at      timestamptz
        );
        CREATE UNIQUE INDEX IF NOT EXISTS "${this.prefix}callbacks_open" ON ${this.t.callbacks} (queue, number) WHERE status IN ('pending','calling');
        CREATE INDEX IF NOT EXISTS "${this.prefix}callbacks_due" ON ${this.t.callbacks} (status, queue, requested_at);
        CREATE INDEX IF NOT EXISTS "${this.prefix}callbacks_call" ON ${this.t.callbacks} (call_sid);
        CREATE TABLE IF NOT EXISTS ${this.t.drafts} (call_sid text PRIMARY KEY, number text NOT NULL, at timestamptz NOT NULL);
      `,
    );
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  async saveDraft(callSid: string, number: string, at: string): Promise<void> {
    await this.migrate();
    await this.pool.query(
      `INSERT INTO ${this.t.drafts} (call_sid, number, at) VALUES ($1, $2, $3) ON CONFLICT (call_sid) DO UPDATE SET number = excluded.number, at = excluded.at`,
      [callSid, number, at],
    );
  }

  async draft(callSid: string): Promise<string | undefined> {
    const r = await this.pool.query<{ number: string }>(`SELECT number FROM ${this.t.drafts} WHERE call_sid = $1`, [callSid]);
    return r.rows[0]?.number;
  }

  async create(input: NewCallback): Promise<CreateResult> {
    await this.migrate();
    return this.tx(async (c) => {
      await c.query(`DELETE FROM ${this.t.drafts} WHERE call_sid = $1`, [input.originCallSid]);
      // DO NOTHING covers both unique keys (origin call, open number per queue): a retried
      // webhook or a second request on any instance inserts nothing.
      const inserted = await c.query<Row>(
        `INSERT INTO ${this.t.callbacks} (id, requested_at, queue, route, lang, number, from_number, status, attempts, next_attempt_at, origin_call_sid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $2, $8) ON CONFLICT DO NOTHING RETURNING *`,
        [newCallbackId(), input.at, input.queue, input.route, input.lang, input.number, input.from, input.originCallSid],
      );
      if (inserted.rows[0]) return { request: fromRow(inserted.rows[0]), created: true };
      const existing = await c.query<Row>(
        `SELECT * FROM ${this.t.callbacks} WHERE origin_call_sid = $1 OR (queue = $2 AND number = $3 AND status IN ('pending','calling'))
         ORDER BY (origin_call_sid = $1) DESC LIMIT 1`,
        [input.originCallSid, input.queue, input.number],
      );
      const row = existing.rows[0];
      if (!row) throw new Error('callback request neither inserted nor found');
      return { request: fromRow(row), created: false };
    });
  }

  async byOrigin(originCallSid: string): Promise<CallbackRequest | undefined> {
    const r = await this.pool.query<Row>(`SELECT * FROM ${this.t.callbacks} WHERE origin_call_sid = $1`, [originCallSid]);
    return r.rows[0] ? fromRow(r.rows[0]) : undefined;
  }

  async get(id: string): Promise<CallbackRequest | undefined> {
    const r = await this.pool.query<Row>(`SELECT * FROM ${this.t.callbacks} WHERE id = $1`, [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : undefined;
  }

  async claim(options: ClaimOptions): Promise<CallbackRequest[]> {
    await this.migrate();
    const claimed: CallbackRequest[] = [];
    // One short transaction per queue: a busy queue never holds up another.
    for (const q of options.queues) {
      const rows = await this.tx(async (c) => {
        const lock = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [
          CLAIM_LOCK_CLASS,
          this.prefix + q.queue,
        ]);
        if (!lock.rows[0]?.ok) return []; // another instance is claiming this queue right now
        const stale = await c.query<Row>(
          `SELECT * FROM ${this.t.callbacks} WHERE queue = $1 AND status = 'calling' AND claimed_at < $2 FOR UPDATE SKIP LOCKED`,
          [q.queue, options.staleBefore],
        );
        for (const r of stale.rows) {
          if (r.attempts >= q.maxAttempts) await this.closeRow(c, r.id, 'failed', r.number);
          else
            await c.query(`UPDATE ${this.t.callbacks} SET status = 'pending', next_attempt_at = $2 WHERE id = $1`, [r.id, options.retryAt]);
        }
        const calling = await c.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${this.t.callbacks} WHERE queue = $1 AND status = 'calling'`,
          [q.queue],
        );
        const free = q.concurrent - Number(calling.rows[0]?.n ?? 0);
        if (free <= 0) return [];
        const picked = await c.query<Row>(
          `UPDATE ${this.t.callbacks} SET status = 'calling', attempts = attempts + 1, claimed_at = $2, call_sid = NULL
           WHERE id IN (
             SELECT id FROM ${this.t.callbacks}
             WHERE queue = $1 AND status = 'pending' AND next_attempt_at <= $2
             ORDER BY requested_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
           ) RETURNING *`,
          [q.queue, options.at, free],
        );
        return picked.rows;
      });
      claimed.push(...rows.map(fromRow).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id)));
    }
    return claimed;
  }

  private async closeRow(c: pg.PoolClient, id: string, status: 'done' | 'failed' | 'cancelled', number: string): Promise<void> {
    await c.query(`UPDATE ${this.t.callbacks} SET status = $2, number = $3 WHERE id = $1`, [id, status, maskCaller(number)]);
  }

  async placed(id: string, callSid: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.t.callbacks} SET call_sid = $2 WHERE id = $1 AND status = 'calling'`, [id, callSid]);
  }

  async settle(id: string, settlement: CallbackSettlement, callSid?: string): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query<Row>(`SELECT * FROM ${this.t.callbacks} WHERE id = $1 FOR UPDATE`, [id]);
      const row = r.rows[0];
      if (!row || row.status !== 'calling') return false;
      if (callSid !== undefined && row.call_sid !== null && row.call_sid !== callSid) return false;
      if (settlement.status === 'pending') {
        await c.query(`UPDATE ${this.t.callbacks} SET status = 'pending', next_attempt_at = $2 WHERE id = $1`, [
          id,
          settlement.nextAttemptAt,
        ]);
      } else {
        await this.closeRow(c, id, settlement.status, row.number);
      }
      return true;
    });
  }

  async cancel(id: string): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query<Row>(`SELECT * FROM ${this.t.callbacks} WHERE id = $1 AND status IN ('pending','calling') FOR UPDATE`, [id]);
      const row = r.rows[0];
      if (!row) return false;
      await this.closeRow(c, id, 'cancelled', row.number);
      return true;
    });
  }

  async list(query: CallbackQuery = {}): Promise<CallbackRequest[]> {
    const r =
      query.status === undefined
        ? await this.pool.query<Row>(`SELECT * FROM ${this.t.callbacks} ORDER BY requested_at, id`)
        : await this.pool.query<Row>(`SELECT * FROM ${this.t.callbacks} WHERE status = $1 ORDER BY requested_at, id`, [query.status]);
    return r.rows.map(fromRow);
  }

  async openByQueue(): Promise<Record<string, number>> {
    const r = await this.pool.query<{ queue: string; n: string }>(
      `SELECT queue, count(*) AS n FROM ${this.t.callbacks} WHERE status IN ('pending','calling') GROUP BY queue`,
    );
    return Object.fromEntries(r.rows.map((x) => [x.queue, Number(x.n)]));
  }

  async pruneDrafts(before: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t.drafts} WHERE at < $1`, [before]);
  }

  /** Test clean-up: drops this prefix's tables. */
  async drop(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.t.callbacks}, ${this.t.drafts}`);
  }
}
