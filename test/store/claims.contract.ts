// The contract every ClaimStore adapter must pass: the first claim of a key wins, on any
// instance sharing the backend, even when several arrive at the same moment.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimStore } from '../../src/store/claims-port.js';

export interface ClaimStoreFixture {
  /** Migrated and empty. */
  store: ClaimStore;
  /** Another instance on the same backend (another process's view), migrated. */
  peer(): Promise<ClaimStore>;
  cleanup(): Promise<void>;
}

const AT = '2026-11-25T09:00:00.000Z';

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
    });
  });
}
