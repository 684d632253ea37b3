// SQLite callback requests (single instance). Claims run in one BEGIN IMMEDIATE transaction:
// SQLite's write lock makes them exclusive, so the dispatcher code is the same as on PostgreSQL.
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
import { callbackFromRow, newCallbackId, type CallbackRow } from './callback-row.js';
import { createTablesImmediate, SqliteAdapter, type SqliteFileOptions } from './sqlite-db.js';

type Row = CallbackRow<string>;

const fromRow = (r: Row): CallbackRequest => callbackFromRow(r, (at) => at);

const iso = (v: string) => new Date(v).toISOString();

export class SqliteCallbackStore extends SqliteAdapter implements CallbackStore {
  readonly kind = 'sqlite';

  constructor(options: SqliteFileOptions) {
    super(options, 'callback store');
  }

  async migrate(): Promise<void> {
    createTablesImmediate(
      this.db,
      `
          CREATE TABLE IF NOT EXISTS callbacks (
            id              TEXT PRIMARY KEY,
            requested_at    TEXT NOT NULL,
            queue           TEXT NOT NULL,
            route           TEXT NOT NULL,
            lang            TEXT NOT NULL,
            number          TEXT NOT NULL,
            from_number     TEXT NOT NULL,
            status          TEXT NOT NULL CHECK (status IN ('pending','calling','done','failed','cancelled')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            origin_call_sid TEXT NOT NULL UNIQUE,
            call_sid        TEXT,
            claimed_at      TEXT
          );
          CREATE UNIQUE INDEX IF NOT EXISTS callbacks_open ON callbacks (queue, number) WHERE status IN ('pending','calling');
          CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks (status, queue, requested_at);
          CREATE INDEX IF NOT EXISTS callbacks_call ON callbacks (call_sid);
          CREATE TABLE IF NOT EXISTS callback_drafts (call_sid TEXT PRIMARY KEY, number TEXT NOT NULL, at TEXT NOT NULL);
      `,
    );
  }

  async saveDraft(callSid: string, number: string, at: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO callback_drafts (call_sid, number, at) VALUES (?, ?, ?) ON CONFLICT (call_sid) DO UPDATE SET number = excluded.number, at = excluded.at',
      )
      .run(callSid, number, iso(at));
  }

  async draft(callSid: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT number FROM callback_drafts WHERE call_sid = ?').get(callSid) as { number: string } | undefined;
    return row?.number;
  }

  async create(input: NewCallback): Promise<CreateResult> {
    const run = this.db.transaction((): CreateResult => {
      const existing =
        (this.db.prepare('SELECT * FROM callbacks WHERE origin_call_sid = ?').get(input.originCallSid) as Row | undefined) ??
        (this.db
          .prepare("SELECT * FROM callbacks WHERE queue = ? AND number = ? AND status IN ('pending','calling')")
          .get(input.queue, input.number) as Row | undefined);
      this.db.prepare('DELETE FROM callback_drafts WHERE call_sid = ?').run(input.originCallSid);
      if (existing) return { request: fromRow(existing), created: false };
      const at = iso(input.at);
      const row: Row = {
        id: newCallbackId(),
        requested_at: at,
        queue: input.queue,
        route: input.route,
        lang: input.lang,
        number: input.number,
        from_number: input.from,
        status: 'pending',
        attempts: 0,
        next_attempt_at: at,
        origin_call_sid: input.originCallSid,
        call_sid: null,
      };
      this.db
        .prepare(
          `INSERT INTO callbacks (id, requested_at, queue, route, lang, number, from_number, status, attempts, next_attempt_at, origin_call_sid)
           VALUES (@id, @requested_at, @queue, @route, @lang, @number, @from_number, @status, @attempts, @next_attempt_at, @origin_call_sid)`,
        )
        .run(row);
      return { request: fromRow(row), created: true };
    });
    return run.immediate();
  }

  async byOrigin(originCallSid: string): Promise<CallbackRequest | undefined> {
    const row = this.db.prepare('SELECT * FROM callbacks WHERE origin_call_sid = ?').get(originCallSid) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async get(id: string): Promise<CallbackRequest | undefined> {
    const row = this.db.prepare('SELECT * FROM callbacks WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async claim(options: ClaimOptions): Promise<CallbackRequest[]> {
    const at = iso(options.at);
    const run = this.db.transaction((): CallbackRequest[] => {
      const claimed: CallbackRequest[] = [];
      for (const q of options.queues) {
        this.recoverStale(q.queue, q.maxAttempts, iso(options.staleBefore), iso(options.retryAt));
        const calling = (
          this.db.prepare("SELECT count(*) AS n FROM callbacks WHERE queue = ? AND status = 'calling'").get(q.queue) as { n: number }
        ).n;
        const free = q.concurrent - calling;
        if (free <= 0) continue;
        const rows = this.db
          .prepare(
            "SELECT id FROM callbacks WHERE queue = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY requested_at, id LIMIT ?",
          )
          .all(q.queue, at, free) as { id: string }[];
        for (const { id } of rows) {
          const row = this.db
            .prepare(
              "UPDATE callbacks SET status = 'calling', attempts = attempts + 1, claimed_at = ?, call_sid = NULL WHERE id = ? RETURNING *",
            )
            .get(at, id) as Row;
          claimed.push(fromRow(row));
        }
      }
      return claimed;
    });
    return run.immediate();
  }

  /** A call placed long ago whose status never came back: that attempt is over. */
  private recoverStale(queue: string, maxAttempts: number, staleBefore: string, retryAt: string): void {
    const stale = this.db
      .prepare("SELECT * FROM callbacks WHERE queue = ? AND status = 'calling' AND claimed_at < ?")
      .all(queue, staleBefore) as Row[];
    for (const r of stale) {
      if (r.attempts >= maxAttempts) this.close_(r.id, 'failed', r.number);
      else this.db.prepare("UPDATE callbacks SET status = 'pending', next_attempt_at = ? WHERE id = ?").run(retryAt, r.id);
    }
  }

  private close_(id: string, status: 'done' | 'failed' | 'cancelled', number: string): void {
    this.db.prepare('UPDATE callbacks SET status = ?, number = ? WHERE id = ?').run(status, maskCaller(number), id);
  }

  async placed(id: string, callSid: string): Promise<void> {
    this.db.prepare("UPDATE callbacks SET call_sid = ? WHERE id = ? AND status = 'calling'").run(callSid, id);
  }

  async settle(id: string, settlement: CallbackSettlement, callSid?: string): Promise<boolean> {
    const run = this.db.transaction((): boolean => {
      const row = this.db.prepare('SELECT * FROM callbacks WHERE id = ?').get(id) as Row | undefined;
      if (!row || row.status !== 'calling') return false;
      if (callSid !== undefined && row.call_sid !== null && row.call_sid !== callSid) return false;
      if (settlement.status === 'pending') {
        this.db.prepare("UPDATE callbacks SET status = 'pending', next_attempt_at = ? WHERE id = ?").run(iso(settlement.nextAttemptAt), id);
      } else {
        this.close_(id, settlement.status, row.number);
      }
      return true;
    });
    return run.immediate();
  }

  async cancel(id: string): Promise<boolean> {
    const run = this.db.transaction((): boolean => {
      const row = this.db.prepare("SELECT * FROM callbacks WHERE id = ? AND status IN ('pending','calling')").get(id) as Row | undefined;
      if (!row) return false;
      this.close_(id, 'cancelled', row.number);
      return true;
    });
    return run.immediate();
  }

  async list(query: CallbackQuery = {}): Promise<CallbackRequest[]> {
    const rows = (
      query.status === undefined
        ? this.db.prepare('SELECT * FROM callbacks ORDER BY requested_at, id').all()
        : this.db.prepare('SELECT * FROM callbacks WHERE status = ? ORDER BY requested_at, id').all(query.status)
    ) as Row[];
    return rows.map(fromRow);
  }

  async openByQueue(): Promise<Record<string, number>> {
    const rows = this.db
      .prepare("SELECT queue, count(*) AS n FROM callbacks WHERE status IN ('pending','calling') GROUP BY queue")
      .all() as { queue: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.queue, Number(r.n)]));
  }

  async pruneDrafts(before: string): Promise<void> {
    this.db.prepare('DELETE FROM callback_drafts WHERE at < ?').run(iso(before));
  }
}
