// The contract every ConsentLog adapter must pass. Each test gets a fresh, migrated log.
import { afterEach, describe, expect, it } from 'vitest';
import { CONSENT_FIELDS, type ConsentRecord } from '../../src/consent/record.js';
import type { ConsentLog } from '../../src/store/ports.js';

export interface ConsentLogFixture {
  /** Migrated and empty. */
  log: ConsentLog;
  /** A NEW instance (new connection / handle) on the same file or database, migrated. */
  reopen(): Promise<ConsentLog>;
  /** Closes whatever is still open and removes the data (files, tables). */
  cleanup(): Promise<void>;
}

export function consentRecord(n: number, overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    callSid: `CA${n.toString(16).padStart(32, '0')}`,
    at: new Date(Date.UTC(2026, 10, 25, 8, 0, 0) + n * 1000).toISOString(),
    caller: '+420603***456',
    decision: n % 2 === 0 ? 'granted' : 'declined',
    language: n % 3 === 0 ? 'en' : 'cs',
    route: n % 2 === 0 ? 'general' : 'none',
    noticeId: 'gdpr-recording',
    noticeVersion: '2026-11',
    noticeSha256: 'a'.repeat(63) + (n % 10).toString(),
    flowVersion: `flow-${n % 7}`,
    ...overrides,
  };
}

export function consentLogContract(name: string, factory: () => Promise<ConsentLogFixture>): void {
  describe(`ConsentLog contract: ${name}`, () => {
    let fixture: ConsentLogFixture | undefined;
    const extra: ConsentLog[] = [];

    async function open(): Promise<ConsentLog> {
      fixture = await factory();
      return fixture.log;
    }

    async function reopen(): Promise<ConsentLog> {
      if (fixture === undefined) throw new Error('open() first');
      const second = await fixture.reopen();
      extra.push(second);
      return second;
    }

    afterEach(async () => {
      await Promise.allSettled(extra.splice(0).map((l) => l.close()));
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('has a kind and migrate() is idempotent', async () => {
      const log = await open();
      expect(log.kind).toMatch(/\S/);
      await log.migrate();
      await log.migrate();
      expect(await log.list()).toEqual([]);
    });

    it('round-trips every field', async () => {
      const log = await open();
      const record = consentRecord(1, {
        caller: 'anonymous***',
        language: 'en',
        route: 'none',
        noticeSha256: '0123456789abcdef'.repeat(4),
        flowVersion: 'sha256:ffee',
      });
      expect(await log.append(record)).toEqual({ inserted: true });
      const [listed, ...rest] = await log.list();
      expect(rest).toEqual([]);
      expect(Object.keys(listed ?? {}).sort()).toEqual([...CONSENT_FIELDS].sort());
      for (const field of CONSENT_FIELDS) expect(listed?.[field], field).toBe(record[field]);
    });

    it('normalises `at` to toISOString form (UTC, milliseconds)', async () => {
      const log = await open();
      await log.append(consentRecord(2, { at: '2026-11-25T09:00:00+01:00' }));
      await log.append(consentRecord(3, { at: '2026-11-25T08:00:01.5Z' }));
      expect((await log.list()).map((r) => r.at)).toEqual(['2026-11-25T08:00:00.000Z', '2026-11-25T08:00:01.500Z']);
    });

    it('rejects malformed records and writes nothing', async () => {
      const log = await open();
      await expect(log.append(consentRecord(1, { at: 'yesterday' }))).rejects.toThrow();
      await expect(log.append(consentRecord(1, { at: '2026-11-25T08:00:00' }))).rejects.toThrow();
      await expect(log.append(consentRecord(1, { decision: 'maybe' as ConsentRecord['decision'] }))).rejects.toThrow();
      await expect(log.append(consentRecord(1, { callSid: '' }))).rejects.toThrow();
      expect(await log.list()).toEqual([]);
    });

    it('lists ordered by (at, callSid, decision) with byte-wise string order', async () => {
      const log = await open();
      const at = '2026-11-25T08:00:00.000Z';
      const records = [
        consentRecord(1, { at: '2026-11-25T08:00:02.000Z', callSid: 'CA01' }),
        consentRecord(2, { at, callSid: 'CAb', decision: 'granted' }),
        consentRecord(3, { at, callSid: 'CAB', decision: 'granted' }),
        consentRecord(4, { at, callSid: 'CAa', decision: 'granted' }),
        consentRecord(5, { at, callSid: 'CAa', decision: 'declined' }),
        consentRecord(6, { at: '2026-11-25T07:59:59.999Z', callSid: 'CAz' }),
      ];
      for (const r of records) await log.append(r);
      expect((await log.list()).map((r) => `${r.at} ${r.callSid} ${r.decision}`)).toEqual([
        `2026-11-25T07:59:59.999Z CAz ${records[5]?.decision}`,
        `${at} CAB granted`,
        `${at} CAa declined`,
        `${at} CAa granted`,
        `${at} CAb granted`,
        `2026-11-25T08:00:02.000Z CA01 ${records[0]?.decision}`,
      ]);
    });

    it('filters by since (inclusive, any offset), callSid and decision', async () => {
      const log = await open();
      for (let n = 0; n < 6; n += 1) await log.append(consentRecord(n));
      const since = consentRecord(3).at;
      expect((await log.list({ since })).map((r) => r.at)).toEqual([3, 4, 5].map((n) => consentRecord(n).at));
      // Same instant written with an offset.
      expect(await log.list({ since: '2026-11-25T09:00:03+01:00' })).toHaveLength(3);
      expect(await log.list({ since: '2027-01-01T00:00:00.000Z' })).toEqual([]);
      expect(await log.list({ callSid: consentRecord(4).callSid })).toEqual([consentRecord(4)]);
      expect((await log.list({ decision: 'declined' })).map((r) => r.callSid)).toEqual([1, 3, 5].map((n) => consentRecord(n).callSid));
      expect(await log.list({ since, decision: 'granted' })).toEqual([consentRecord(4)]);
    });

    it('is idempotent per (callSid, decision)', async () => {
      const log = await open();
      const granted = consentRecord(7, { decision: 'granted' });
      expect(await log.append(granted)).toEqual({ inserted: true });
      // A retried webhook may carry a later timestamp: the first record wins.
      expect(await log.append({ ...granted, at: '2026-11-26T00:00:00.000Z' })).toEqual({
        inserted: false,
      });
      expect(await log.append({ ...granted, decision: 'declined', route: 'none' })).toEqual({
        inserted: true,
      });
      const rows = await log.list({ callSid: granted.callSid });
      expect(rows.map((r) => r.decision).sort()).toEqual(['declined', 'granted']);
      expect(rows.find((r) => r.decision === 'granted')?.at).toBe(granted.at);
    });

    it('handles 200 concurrent appends, duplicates within the burst included', async () => {
      const log = await open();
      const records = Array.from({ length: 200 }, (_, n) => consentRecord(n + 100));
      const results = await Promise.all(records.map((r) => log.append(r)));
      expect(results.every((r) => r.inserted)).toBe(true);
      const dupes = await Promise.all(records.slice(0, 20).map((r) => log.append(r)));
      expect(dupes.every((r) => !r.inserted)).toBe(true);
      const listed = await log.list();
      expect(listed).toHaveLength(200);
      expect(new Set(listed.map((r) => `${r.callSid}/${r.decision}`)).size).toBe(200);
    });

    it('reports exactly one insert when the same record races itself', async () => {
      const log = await open();
      const record = consentRecord(42);
      const results = await Promise.all(Array.from({ length: 10 }, () => log.append(record)));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect(await log.list()).toEqual([record]);
    });

    it('an acknowledged append is visible to a new instance on the same storage', async () => {
      const log = await open();
      const record = consentRecord(9);
      await log.append(record);
      const other = await reopen();
      expect(await other.list()).toEqual([record]);
      // And the other way round: the new instance's writes dedupe against the first's.
      expect(await other.append(record)).toEqual({ inserted: false });
    });

    it('check() passes on a healthy log', async () => {
      const log = await open();
      await expect(log.check()).resolves.toBeUndefined();
    });

    it('close() is clean and idempotent; appends afterwards reject', async () => {
      const log = await open();
      const pending = log.append(consentRecord(11));
      await log.close();
      // An append made before close() is committed, not dropped.
      await expect(pending).resolves.toEqual({ inserted: true });
      await log.close();
      await expect(log.append(consentRecord(12))).rejects.toThrow();
      const other = await reopen();
      expect((await other.list()).map((r) => r.callSid)).toEqual([consentRecord(11).callSid]);
    });

    it('pages newest first through the store: limit, cursor, until, case-insensitive CallSid prefix', async () => {
      const log = await open();
      // Two records share one instant: the order breaks the tie by CallSid, then decision.
      const records = [1, 2, 3, 4, 5, 6, 7].map((n) => consentRecord(n));
      records.push(consentRecord(8, { at: records[6]?.at, callSid: `CA${'f'.repeat(32)}` }));
      for (const r of records) await log.append(r);
      const newestFirst = [...records].sort((a, b) => (a.at === b.at ? (a.callSid < b.callSid ? 1 : -1) : a.at < b.at ? 1 : -1));
      const page1 = await log.list({ order: 'desc', limit: 3 });
      expect(page1).toEqual(newestFirst.slice(0, 3));
      const last = page1[2] as ConsentRecord;
      const page2 = await log.list({ order: 'desc', limit: 3, after: { at: last.at, callSid: last.callSid, decision: last.decision } });
      expect(page2).toEqual(newestFirst.slice(3, 6));
      const tail = page2[2] as ConsentRecord;
      expect(await log.list({ order: 'desc', limit: 3, after: tail })).toEqual(newestFirst.slice(6));
      // Ascending with a cursor continues in the other direction.
      const first = records[0] as ConsentRecord;
      expect((await log.list({ limit: 2, after: first })).map((r) => r.callSid)).toEqual([records[1]?.callSid, records[2]?.callSid]);
      // until is exclusive; with since it is a range.
      expect(await log.list({ since: records[1]?.at, until: records[3]?.at })).toEqual([records[1], records[2]]);
      // A prefix in any case finds the record; a reversed range finds nothing.
      const sid = records[4]?.callSid ?? '';
      expect(await log.list({ callSidPrefix: sid.toLowerCase() })).toEqual([records[4]]);
      expect(await log.list({ callSidPrefix: 'cAfF' })).toEqual([records[7]]);
      expect((await log.list({ callSidPrefix: 'ca' })).length).toBe(records.length);
      expect(await log.list({ since: records[5]?.at, until: records[1]?.at })).toEqual([]);
      await expect(log.list({ callSidPrefix: "CA' OR 1=1 --" })).rejects.toThrow(/letters and digits/);
    });
  });
}
