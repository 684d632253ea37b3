// SQLite journey store: its own connection to the consent log's file and its own table,
// created idempotently (not in the consent migrations: journeys are analytics, not evidence).
import type { JourneyEvent } from '../report/journey.js';
import { normaliseJourneyEvent } from '../report/journey.js';
import type { JourneyStore } from './journey-port.js';
import { openSqliteDatabase, type SqliteDatabase, type SqliteOpenOptions } from './sqlite-consent-log.js';
import { normaliseInstant } from './shared.js';
import { SqliteJourneyWriter, type JourneyRow } from './sqlite-journey-writer.js';

export interface SqliteJourneyStoreOptions extends SqliteOpenOptions {
  path: string;
}

interface Row {
  call_sid: string;
  at: string;
  node: string;
  kind: JourneyEvent['kind'];
  queue: string | null;
  detail: string | null;
  seconds: number | null;
}

export function journeyFromRow(row: Row): JourneyEvent {
  const e: JourneyEvent = { callSid: row.call_sid, at: row.at, node: row.node, kind: row.kind };
  if (row.queue !== null) e.queue = row.queue;
  if (row.detail !== null) e.detail = row.detail;
  if (row.seconds !== null) e.seconds = Number(row.seconds);
  return e;
}

const COLUMNS = 'call_sid, at, node, kind, queue, detail, seconds';

export class SqliteJourneyStore implements JourneyStore {
  readonly kind = 'sqlite';
  private readonly db: SqliteDatabase;
  private closed = false;
  private readonly writer: SqliteJourneyWriter;

  constructor(options: SqliteJourneyStoreOptions) {
    this.db = openSqliteDatabase(options.path, options);
    // Journeys are statistics: an fsync per checkpoint is enough (the consent log keeps FULL).
    this.db.pragma('synchronous = NORMAL');
    this.writer = new SqliteJourneyWriter(options.path);
  }

  async migrate(): Promise<void> {
    this.db
      .transaction(() => {
        this.db.exec(`
          CREATE TABLE IF NOT EXISTS journey_events (
            id       INTEGER PRIMARY KEY,
            call_sid TEXT NOT NULL,
            at       TEXT NOT NULL,
            node     TEXT NOT NULL,
            kind     TEXT NOT NULL,
            queue    TEXT,
            detail   TEXT,
            seconds  INTEGER
          );
          CREATE INDEX IF NOT EXISTS journey_events_call ON journey_events (call_sid);
          CREATE INDEX IF NOT EXISTS journey_events_start ON journey_events (at) WHERE kind = 'start';
        `);
      })
      .immediate();
  }

  async append(events: readonly JourneyEvent[]): Promise<void> {
    this.assertOpen();
    const rows = events.map((event): JourneyRow => {
      const e = normaliseJourneyEvent(event);
      return [e.callSid, e.at, e.node, e.kind, e.queue ?? null, e.detail ?? null, e.seconds ?? null];
    });
    if (rows.length > 0) await this.writer.write(rows);
  }

  async callsStarted(from: string, to?: string): Promise<JourneyEvent[]> {
    this.assertOpen();
    const f = normaliseInstant(from, 'from');
    const t = to === undefined ? '9999-12-31T23:59:59.999Z' : normaliseInstant(to, 'to');
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM journey_events
          WHERE call_sid IN (SELECT call_sid FROM journey_events WHERE kind = 'start' AND at >= ? AND at < ?)
          ORDER BY at, id`,
      )
      .all(f, t) as Row[];
    return rows.map(journeyFromRow);
  }

  async call(callSid: string): Promise<JourneyEvent[]> {
    this.assertOpen();
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM journey_events WHERE call_sid = ? ORDER BY at, id`).all(callSid) as Row[];
    return rows.map(journeyFromRow);
  }

  async deleteBefore(before: string): Promise<number> {
    this.assertOpen();
    const cutoff = normaliseInstant(before, 'before');
    // No index on `at` (each index slows every write) but ids grow with time: everything older
    // than the cutoff lies below the first call that started after it. (A straddling call's
    // late events above that id go at the next pass, once newer calls push the bound on.)
    const first = this.db.prepare("SELECT min(id) AS id FROM journey_events WHERE kind = 'start' AND at >= ?").get(cutoff) as { id: number | null };
    if (first.id === null) return this.db.prepare('DELETE FROM journey_events WHERE at < ?').run(cutoff).changes;
    return this.db.prepare('DELETE FROM journey_events WHERE id < ? AND at < ?').run(first.id, cutoff).changes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('journey store is closed');
  }
}
