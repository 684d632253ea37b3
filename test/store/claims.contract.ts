// The contract every ClaimStore adapter must pass: the first claim of a key wins, on any
// instance sharing the backend, even when several arrive at the same moment.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimStore } from '../../src/store/claims-port.js';

/** The deleteBefore batch the factories open their stores with (small: a backlog of a few claims spans batches). */
export const TEST_DELETE_BATCH = 4;

export interface ClaimStoreFixture {
  /** Migrated and empty; opened with `deleteBatch: TEST_DELETE_BATCH`. */
  store: ClaimStore;
  /** Another instance on the same backend (another process's view), migrated. */
  peer(): Promise<ClaimStore>;
  cleanup(): Promise<void>;
}

const AT = '2026-11-25T09:00:00.000Z';
const EARLIER = '2026-11-18T08:59:59.999Z';

export function claimStoreContract(name: string, factory: () => Promise<ClaimStoreFixture>): void {
  describe(`ClaimStore contract: ${name}`, () => {
    let fixture: ClaimStoreFixture | undefined;
    const peers: ClaimStore[] = [];
    const open = async () => {
      fixture = await factory();
      return fixture;
    };
    afterEach(async () => {
      for (const p of peers.splice(0)) await p.close();
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('the first claim of a key wins, a repeated one does not', async () => {
      const { store } = await open();
      expect(await store.claim('recording:CA1', AT)).toBe(true);
      expect(await store.claim('recording:CA1', AT)).toBe(false);
      expect(await store.claim('recording:CA2', AT)).toBe(true);
    });

    it('a claim made by another instance is seen at once', async () => {
      const f = await open();
      const peer = await f.peer();
      peers.push(peer);
      expect(await peer.claim('recording:CA3', AT)).toBe(true);
      expect(await f.store.claim('recording:CA3', AT)).toBe(false);
    });

    it('of claims racing on two instances exactly one wins', async () => {
      const f = await open();
      const peer = await f.peer();
      peers.push(peer);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? f.store : peer).claim('recording:CA4', AT)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('migrating again keeps the claims', async () => {
      const f = await open();
      await f.store.claim('recording:CA5', AT);
      await f.store.migrate();
      expect(await f.store.claim('recording:CA5', AT)).toBe(false);
    });

    it('refuses a time that is not an ISO instant', async () => {
      const { store } = await open();
      await expect(store.claim('recording:CA6', 'yesterday')).rejects.toThrow(/ISO/);
      await expect(store.deleteBefore('last week')).rejects.toThrow(/ISO/);
    });

    it('deleteBefore removes the claims made before the cutoff only, says how many, on every instance', async () => {
      const f = await open();
      const peer = await f.peer();
      peers.push(peer);
      await f.store.claim('recording:CA8', EARLIER);
      await f.store.claim('recording:CA9', '2026-11-18T10:59:59.999+02:00'); // the same instant as EARLIER
      await f.store.claim('recording:CA10', AT);
      expect(await peer.deleteBefore('2026-11-25T10:00:00+01:00')).toBe(2); // AT
      // Idempotent: a repeat, here or on the other instance, deletes nothing more.
      expect(await f.store.deleteBefore(AT)).toBe(0);
      expect(await peer.deleteBefore(AT)).toBe(0);
      // The claim at the cutoff stays; the deleted keys could be claimed again.
      expect(await f.store.claim('recording:CA10', AT)).toBe(false);
      expect(await f.store.claim('recording:CA8', AT)).toBe(true);
      expect(await f.store.claim('recording:CA9', AT)).toBe(true);
    });

    it('deleteBefore gets through a backlog larger than one batch', async () => {
      const { store } = await open();
      const total = 2 * TEST_DELETE_BATCH + 1;
      for (let i = 0; i < total; i++) await store.claim(`recording:old${i}`, EARLIER);
      await store.claim('recording:new', AT);
      expect(await store.deleteBefore(AT)).toBe(total);
      expect(await store.claim('recording:old0', AT)).toBe(true);
      expect(await store.claim('recording:new', AT)).toBe(false);
    });
  });
}
