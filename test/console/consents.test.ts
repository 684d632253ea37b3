// The DPO's consent search at volume, through app.inject on a real SQLite log: 200,000 rows,
// newest first, paged through the store (the store hands over one page, never the log),
// a case-insensitive CallSid prefix, a reversed range refused with a code, CSV for Czech Excel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentRecord } from '../../src/consent/record.js';
import type { ConsentLog, ConsentQuery } from '../../src/store/ports.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { buildConsoleApp, ConsoleClient, type ConsoleTestApp } from './support.js';

const ROWS = 200_000;
const START = Date.parse('2026-06-01T00:00:00Z');

/** The real SQLite log, counting every row it hands over (what "reading" costs the console). */
class CountingLog implements ConsentLog {
  readonly kind = 'counting-sqlite';
  rowsRead = 0;
  constructor(private readonly inner: SqliteConsentLog) {}
  migrate = () => this.inner.migrate();
  append = (r: ConsentRecord) => this.inner.append(r);
  check = () => this.inner.check();
  close = () => this.inner.close();
  async list(q?: ConsentQuery): Promise<ConsentRecord[]> {
    const rows = await this.inner.list(q);
    this.rowsRead += rows.length;
    return rows;
  }
}

const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;

describe('console consent search at volume', () => {
  let dir: string;
  let log: CountingLog;
  let t: ConsoleTestApp;
  let dpo: ConsoleClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'infoline-consents-'));
    const path = join(dir, 'consents.db');
    const sqlite = new SqliteConsentLog({ path });
    await sqlite.migrate();
    // Bulk load in one transaction (appending one by one would fsync 200,000 times).
    const db = new Database(path);
    const insert = db.prepare(
      `INSERT INTO consents (call_sid, at, caller, decision, language, route, notice_id, notice_version, notice_sha256, flow_version, recorded_at)
       VALUES (?, ?, '+420603***456', ?, 'cs', 'insurance', 'consent.notice', 'v1', ?, 'f1', ?)`,
    );
    db.transaction(() => {
      for (let n = 0; n < ROWS; n++) {
        const at = new Date(START + n * 60_000).toISOString();
        insert.run(sid(n), at, n % 5 === 0 ? 'declined' : 'granted', 'a'.repeat(64), at);
      }
    })();
    db.close();
    log = new CountingLog(sqlite);
    t = await buildConsoleApp({ now: '2026-11-25T09:00:00Z', consentLog: log });
    dpo = new ConsoleClient(t.app);
    await dpo.loginAs('dpo');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the newest page first and reads from the store at most the rows it shows (+1)', async () => {
    log.rowsRead = 0;
    const res = await dpo.request('GET', '/console/api/consents');
    expect(res.statusCode).toBe(200);
    const page = res.json() as { rows: ConsentRecord[]; next: string | null; pageSize: number };
    expect(page.pageSize).toBe(50);
    expect(page.rows).toHaveLength(50);
    expect(page.rows[0]?.callSid).toBe(sid(ROWS - 1));
    expect(page.rows[49]?.callSid).toBe(sid(ROWS - 50));
    expect(page.next).not.toBeNull();
    expect((res.json() as { truncated: boolean }).truncated).toBe(true);
    // One row more than shown tells that there is a next page; nothing else is read.
    expect(log.rowsRead).toBeLessThanOrEqual(51);

    log.rowsRead = 0;
    const second = (await dpo.request('GET', `/console/api/consents?cursor=${page.next}`)).json() as { rows: ConsentRecord[] };
    expect(second.rows[0]?.callSid).toBe(sid(ROWS - 51));
    expect(second.rows).toHaveLength(50);
    expect(log.rowsRead).toBeLessThanOrEqual(51);
  });

  it('filters by a range and decision in the store, with paging', async () => {
    log.rowsRead = 0;
    // 2026-06-01 (Prague day): 00:00–22:00 UTC here, minus the first two hours of Prague time.
    const page = (await dpo.request('GET', '/console/api/consents?from=2026-06-01&to=2026-06-01&decision=declined&limit=10')).json() as {
      rows: ConsentRecord[];
      next: string | null;
    };
    expect(page.rows).toHaveLength(10);
    expect(page.rows.every((r) => r.decision === 'declined' && r.at < '2026-06-01T22:00:00.000Z')).toBe(true);
    expect(page.rows[0]?.at).toBe('2026-06-01T21:55:00.000Z');
    expect(log.rowsRead).toBeLessThanOrEqual(11);
  });

  it('finds a CallSid by a prefix in any case', async () => {
    const wanted = sid(123_456);
    const page = (await dpo.request('GET', `/console/api/consents?callSid=${wanted.slice(0, 33).toUpperCase()}`)).json() as {
      rows: ConsentRecord[];
    };
    expect(page.rows).toHaveLength(16);
    expect(page.rows.map((r) => r.callSid)).toContain(wanted);
    expect(page.rows.every((r) => r.callSid.startsWith(wanted.slice(0, 33)))).toBe(true);
  });

  it('refuses a reversed range and a forged cursor with codes the page words', async () => {
    const reversed = await dpo.request('GET', '/console/api/consents?from=2026-06-10&to=2026-06-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({ code: 'consents.range' });
    const forged = await dpo.request('GET', `/console/api/consents?cursor=${Buffer.from('["x"]').toString('base64url')}`);
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ code: 'consents.cursor' });
  });

  it('exports CSV for Czech Excel: BOM, ";" and Prague local times', async () => {
    const res = await dpo.request('GET', '/console/api/consents?format=csv&excel=1&from=2026-06-01T00:00Z&to=2026-06-01T00:03Z');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/-excel\.csv"$/);
    const body = res.rawPayload.toString('utf8');
    expect(body.startsWith('\uFEFF')).toBe(true);
    const lines = body.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('callSid;at;caller;decision;language;route;noticeId;noticeVersion;noticeSha256;flowVersion');
    // 00:00 UTC on 1 June is 02:00 in Prague (summer time).
    expect(lines.slice(1).map((l) => l.split(';').slice(0, 3))).toEqual([
      [sid(0), '2026-06-01 02:00:00', "'+420603***456"],
      [sid(1), '2026-06-01 02:01:00', "'+420603***456"],
      [sid(2), '2026-06-01 02:02:00', "'+420603***456"],
    ]);
  });
});
