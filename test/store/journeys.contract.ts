// The contract every JourneyStore adapter must pass. Each test gets a fresh, migrated store.
import { afterEach, describe, expect, it } from 'vitest';
import type { JourneyEvent } from '../../src/report/journey.js';
import type { JourneyStore } from '../../src/store/journey-port.js';

export interface JourneyStoreFixture {
  store: JourneyStore;
  /** A NEW instance (another connection) on the same file or database, migrated. */
  reopen(): Promise<JourneyStore>;
  cleanup(): Promise<void>;
}

const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 30, 8, 0, 0) + minutes * 60_000).toISOString();

/** A call that starts at `start` minutes past 08:00 UTC, chooses 1, waits 40 s, is answered. */
function answeredCall(n: number, start: number): JourneyEvent[] {
  return [
    { callSid: sid(n), at: at(start), node: 'main', kind: 'start' },
    { callSid: sid(n), at: at(start + 1), node: 'main', kind: 'choice', detail: '1' },
    { callSid: sid(n), at: at(start + 1), node: 'insurance', kind: 'route', queue: 'insurance' },
    { callSid: sid(n), at: at(start + 2), node: 'insurance', kind: 'queueResult', queue: 'insurance', detail: 'bridged', seconds: 40 },
    { callSid: sid(n), at: at(start + 9), node: '', kind: 'status', detail: 'completed', seconds: 540 },
  ];
}

export function journeyStoreContract(name: string, factory: () => Promise<JourneyStoreFixture>): void {
  describe(`JourneyStore contract: ${name}`, () => {
    let fixture: JourneyStoreFixture | undefined;
    const extra: JourneyStore[] = [];
    const open = async () => {
      fixture = await factory();
      return fixture.store;
    };
    afterEach(async () => {
      await Promise.allSettled(extra.splice(0).map((s) => s.close()));
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('migrate() is idempotent and a fresh store is empty', async () => {
      const store = await open();
      expect(store.kind).toMatch(/\S/);
      await store.migrate();
      await store.migrate();
      expect(await store.callsStarted(at(-1440))).toEqual([]);
    });

    it('gives back a call’s events exactly, in the order written, optional fields omitted', async () => {
      const store = await open();
      const events = answeredCall(1, 0);
      await store.append(events);
      expect(await store.call(sid(1))).toEqual(events);
      expect(await store.call(sid(2))).toEqual([]);
    });

    it('events written in the same millisecond keep their write order', async () => {
      const store = await open();
      const same = at(5);
      const events: JourneyEvent[] = [
        { callSid: sid(3), at: same, node: 'main', kind: 'choice', detail: '5' },
        { callSid: sid(3), at: same, node: 'spa_closed', kind: 'closed', detail: 'spa' },
        { callSid: sid(3), at: same, node: 'main', kind: 'menu' },
      ];
      await store.append(events.slice(0, 2));
      await store.append(events.slice(2));
      expect((await store.call(sid(3))).map((e) => e.kind)).toEqual(['choice', 'closed', 'menu']);
    });

    it('callsStarted returns every event of the calls whose start is in [from, to), later events included', async () => {
      const store = await open();
      await store.append([...answeredCall(1, 0), ...answeredCall(2, 30), ...answeredCall(3, 60)]);
      const got = await store.callsStarted(at(0), at(60));
      expect(new Set(got.map((e) => e.callSid))).toEqual(new Set([sid(1), sid(2)]));
      expect(got).toHaveLength(10);
      // Ordered by time.
      expect([...got].map((e) => e.at)).toEqual([...got].map((e) => e.at).sort());
      // `to` omitted: up to now.
      expect(new Set((await store.callsStarted(at(30))).map((e) => e.callSid))).toEqual(new Set([sid(2), sid(3)]));
      // A call whose start is before `from` is left out even when later events are inside.
      expect((await store.callsStarted(at(1), at(59))).map((e) => e.callSid)).toEqual(answeredCall(2, 30).map((e) => e.callSid));
    });

    it('another connection sees what one wrote (several instances share one journey)', async () => {
      const store = await open();
      const other = await fixture!.reopen();
      extra.push(other);
      const events = answeredCall(4, 0);
      await store.append(events.slice(0, 3));
      await other.append(events.slice(3));
      expect(await store.call(sid(4))).toEqual(events);
    });

    it('deleteBefore removes older events only and says how many', async () => {
      const store = await open();
      await store.append([...answeredCall(1, 0), ...answeredCall(2, 600)]);
      expect(await store.deleteBefore(at(300))).toBe(5);
      expect(await store.call(sid(1))).toEqual([]);
      expect(await store.call(sid(2))).toHaveLength(5);
    });

    it('refuses malformed events without writing any of the batch', async () => {
      const store = await open();
      const good = answeredCall(5, 0)[0]!;
      await expect(store.append([good, { ...good, kind: 'teleport' as JourneyEvent['kind'] }])).rejects.toThrow(/kind/);
      await expect(store.append([{ ...good, at: '2026-11-30 08:00' }])).rejects.toThrow(/instant/);
      await expect(store.append([{ ...good, callSid: '+420603123456' }])).rejects.toThrow(/callSid/);
      expect(await store.call(good.callSid)).toEqual([]);
    });
  });
}
