// PostgreSQL journey store: one table beside the consents, shared by every instance, so a
// call whose webhooks landed on several instances has one journey.
import { normaliseJourneyEvent, type JourneyEvent } from '../report/journey.js';
import type { JourneyStore } from './journey-port.js';
import { PostgresAdapter, prefixedTable, type PostgresOptions } from './postgres-db.js';
import { normaliseInstant } from './shared.js';

// Its own advisory lock: CREATE TABLE IF NOT EXISTS races between two starting instances.
const JOURNEY_LOCK_KEY = 7_264_015;

interface Row {
  call_sid: string;
  at: Date;
  node: string;
  kind: JourneyEvent['kind'];
  queue: string | null;
  detail: string | null;
  seconds: number | null;
}

const COLUMNS = 'call_sid, at, node, kind, queue, detail, seconds';

function fromRow(row: Row): JourneyEvent {
  const e: JourneyEvent = { callSid: row.call_sid, at: row.at.toISOString(), node: row.node, kind: row.kind };
  if (row.queue !== null) e.queue = row.queue;
  if (row.detail !== null) e.detail = row.detail;
  if (row.seconds !== null) e.seconds = Number(row.seconds);
  return e;
}

export class PostgresJourneyStore extends PostgresAdapter implements JourneyStore {
  readonly kind = 'postgres';
  private readonly table: string;
  private readonly prefix: string;

  constructor(options: PostgresOptions) {
    super(options, { poolMax: 3 });
    this.prefix = options.tablePrefix ?? '';
    this.table = prefixedTable(this.prefix, 'journey_events');
  }

  /** Also run on first use: a start during an outage gets the table once the server answers. */
  migrate(): Promise<void> {
    return this.ensureTables(
      JOURNEY_LOCK_KEY,
      `
        CREATE TABLE IF NOT EXISTS ${this.table} (
          id       bigserial   PRIMARY KEY,
          call_sid text        NOT NULL,
          at       timestamptz NOT NULL,
          node     text        NOT NULL,
          kind     text        NOT NULL,
          queue    text,
          detail   text,
          seconds  integer
        );
        CREATE INDEX IF NOT EXISTS "${this.prefix}journey_events_call" ON ${this.table} (call_sid, at);
        CREATE INDEX IF NOT EXISTS "${this.prefix}journey_events_kind_at" ON ${this.table} (kind, at);
        CREATE INDEX IF NOT EXISTS "${this.prefix}journey_events_at" ON ${this.table} (at);
      `,
    );
  }

  async append(events: readonly JourneyEvent[]): Promise<void> {
    await this.assertOpen();
    if (events.length === 0) return;
    const rows = events.map(normaliseJourneyEvent);
    // One multi-row INSERT; unnest keeps the order of the arrays (ids follow it).
    await this.pool.query(
      `INSERT INTO ${this.table} (${COLUMNS})
       SELECT a, b, c, d, e, f, g
         FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) WITH ORDINALITY AS u(a, b, c, d, e, f, g, o)
        ORDER BY o`,
      [
        rows.map((e) => e.callSid),
        rows.map((e) => e.at),
        rows.map((e) => e.node),
        rows.map((e) => e.kind),
        rows.map((e) => e.queue ?? null),
        rows.map((e) => e.detail ?? null),
        rows.map((e) => e.seconds ?? null),
      ],
    );
  }

  async callsStarted(from: string, to?: string): Promise<JourneyEvent[]> {
    await this.assertOpen();
    const params = [normaliseInstant(from, 'from'), to === undefined ? 'infinity' : normaliseInstant(to, 'to')];
    const result = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ${this.table}
        WHERE call_sid IN (SELECT call_sid FROM ${this.table} WHERE kind = 'start' AND at >= $1::timestamptz AND at < $2::timestamptz)
        ORDER BY at, id`,
      params,
    );
    return result.rows.map(fromRow);
  }

  async call(callSid: string): Promise<JourneyEvent[]> {
    await this.assertOpen();
    const result = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE call_sid = $1 ORDER BY at, id`, [callSid]);
    return result.rows.map(fromRow);
  }

  async deleteBefore(before: string): Promise<number> {
    await this.assertOpen();
    const result = await this.pool.query(`DELETE FROM ${this.table} WHERE at < $1::timestamptz`, [normaliseInstant(before, 'before')]);
    return result.rowCount ?? 0;
  }

  /** Test helper: drops this prefix's journey table. */
  async dropTable(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.table}`);
  }

  private async assertOpen(): Promise<void> {
    if (this.closed) throw new Error('journey store is closed');
    await this.migrate();
  }
}
