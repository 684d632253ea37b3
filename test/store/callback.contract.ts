// The contract every CallbackStore adapter must pass. Each test gets a fresh, migrated store
// and a peer (a second connection, as another instance would have).
import { afterEach, describe, expect, it } from 'vitest';
import type { CallbackStore, ClaimOptions, NewCallback } from '../../src/store/callback-port.js';

export interface CallbackStoreFixture {
  store: CallbackStore;
  peer(): Promise<CallbackStore>;
  cleanup(): Promise<void>;
}

const T0 = '2026-11-25T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export function newRequest(n: number, overrides: Partial<NewCallback> = {}): NewCallback {
  return {
    originCallSid: `CA${String(n).padStart(32, '0')}`,
    queue: 'insurance',
    route: 'insurance',
    lang: 'cs',
    number: `+420603${String(n).padStart(6, '0')}`,
    from: '+420261105555',
    at: at(n),
    ...overrides,
  };
}

const claimAt = (minutes: number, concurrent = 10, maxAttempts = 3): ClaimOptions => ({
  at: at(minutes),
  queues: [{ queue: 'insurance', concurrent, maxAttempts }],
  staleBefore: at(minutes - 30),
  retryAt: at(minutes + 10),
});

export function callbackStoreContract(name: string, factory: () => Promise<CallbackStoreFixture>): void {
  describe(`CallbackStore contract: ${name}`, () => {
    let fixture: CallbackStoreFixture | undefined;
    const peers: CallbackStore[] = [];
    const open = async () => {
      fixture = await factory();
      return fixture.store;
    };
    afterEach(async () => {
      for (const p of peers.splice(0)) await p.close();
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('creates a pending request due at once, idempotent per origin call and per open number+queue', async () => {
      const store = await open();
      const first = await store.create(newRequest(1));
      expect(first.created).toBe(true);
      expect(first.request).toMatchObject({
        status: 'pending',
        attempts: 0,
        number: '+420603000001',
        nextAttemptAt: at(1),
        requestedAt: at(1),
      });
      const retried = await store.create(newRequest(1));
      expect(retried).toMatchObject({ created: false, request: { id: first.request.id } });
      const sameNumber = await store.create(newRequest(1, { originCallSid: 'CAother' }));
      expect(sameNumber).toMatchObject({ created: false, request: { id: first.request.id } });
      const otherQueue = await store.create(newRequest(1, { originCallSid: 'CAother2', queue: 'general' }));
      expect(otherQueue.created).toBe(true);
      expect(await store.list()).toHaveLength(2);
      expect((await store.byOrigin(newRequest(1).originCallSid))?.id).toBe(first.request.id);
    });

    it('keeps a draft number per call and forgets it once the request is made', async () => {
      const store = await open();
      await store.saveDraft('CA1', '+420777000111', at(0));
      await store.saveDraft('CA1', '+420777000222', at(0));
      expect(await store.draft('CA1')).toBe('+420777000222');
      await store.create(newRequest(5, { originCallSid: 'CA1' }));
      expect(await store.draft('CA1')).toBeUndefined();
      await store.saveDraft('CA2', '+420777000333', at(0));
      await store.pruneDrafts(at(1));
      expect(await store.draft('CA2')).toBeUndefined();
    });

    it('claims due requests oldest first, at most `concurrent` calling, never twice', async () => {
      const store = await open();
      for (const n of [3, 1, 2, 40]) await store.create(newRequest(n));
      const first = await store.claim(claimAt(10, 2));
      expect(first.map((r) => r.number)).toEqual(['+420603000001', '+420603000002']);
      expect(first.every((r) => r.status === 'calling' && r.attempts === 1)).toBe(true);
      expect(await store.claim(claimAt(10, 2))).toEqual([]);
      await store.placed(first[0]!.id, 'CAout1');
      expect(await store.settle(first[0]!.id, { status: 'done' }, 'CAout1')).toBe(true);
      const next = await store.claim(claimAt(10, 2));
      expect(next.map((r) => r.number)).toEqual(['+420603000003']); // 40 is not due until minute 40
    });

    it('settles once: a retry waits until nextAttemptAt, closed requests hold the number masked', async () => {
      const store = await open();
      const { request } = await store.create(newRequest(1));
      const [claimed] = await store.claim(claimAt(2));
      await store.placed(claimed!.id, 'CAa');
      expect(await store.settle(request.id, { status: 'pending', nextAttemptAt: at(30) }, 'CAb')).toBe(false);
      expect(await store.settle(request.id, { status: 'pending', nextAttemptAt: at(30) }, 'CAa')).toBe(true);
      expect(await store.settle(request.id, { status: 'failed' }, 'CAa')).toBe(false);
      expect(await store.claim(claimAt(29))).toEqual([]);
      const [again] = await store.claim(claimAt(30));
      expect(again).toMatchObject({ id: request.id, attempts: 2 });
      expect(await store.settle(request.id, { status: 'failed' })).toBe(true);
      const closed = await store.get(request.id);
      expect(closed).toMatchObject({ status: 'failed', number: '+420603***001' });
      expect(await store.openByQueue()).toEqual({});
    });

    it('cancels only open requests; a cancelled one is never claimed', async () => {
      const store = await open();
      const { request } = await store.create(newRequest(1));
      expect(await store.cancel(request.id)).toBe(true);
      expect(await store.cancel(request.id)).toBe(false);
      expect(await store.cancel('cbunknown')).toBe(false);
      expect(await store.claim(claimAt(5))).toEqual([]);
      expect(await store.list({ status: 'cancelled' })).toMatchObject([{ id: request.id, number: '+420603***001' }]);
      expect(await store.list({ status: 'pending' })).toEqual([]);
      // The number is free again for a new request.
      expect((await store.create(newRequest(1, { originCallSid: 'CAnew' }))).created).toBe(true);
    });

    it('gives a stale call back (retry, or failed after maxAttempts)', async () => {
      const store = await open();
      await store.create(newRequest(1));
      const [c] = await store.claim(claimAt(1, 1, 2));
      expect(c?.attempts).toBe(1);
      // 31 minutes later, no status ever came: retried at retryAt.
      expect(await store.claim(claimAt(32, 1, 2))).toEqual([]);
      expect(await store.get(c!.id)).toMatchObject({ status: 'pending', nextAttemptAt: at(42) });
      expect((await store.claim(claimAt(42, 1, 2)))[0]?.attempts).toBe(2);
      await store.claim(claimAt(80, 1, 2));
      expect(await store.get(c!.id)).toMatchObject({ status: 'failed' });
    });

    it('two instances claiming at once place each request exactly once', async () => {
      const store = await open();
      const other = await fixture!.peer();
      peers.push(other);
      for (let n = 1; n <= 30; n++) await store.create(newRequest(n));
      const seen: string[] = [];
      for (let round = 0; round < 10; round++) {
        const [a, b] = await Promise.all([store.claim(claimAt(60, 4)), other.claim(claimAt(60, 4))]);
        const got = [...a, ...b];
        expect(got.length).toBeLessThanOrEqual(4);
        for (const r of got) {
          seen.push(r.id);
          await store.settle(r.id, { status: 'done' });
        }
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThan(0);
      const all = await store.list();
      expect(all.filter((r) => r.status === 'done')).toHaveLength(seen.length);
    });
  });
}
