// The contract every SwitchStore adapter must pass. Each test gets a fresh, migrated store.
import { afterEach, describe, expect, it } from 'vitest';
import type { EmergencyClosure, SwitchStore } from '../../src/store/ports.js';
import { waitFor } from './services.js';

export interface SwitchStoreFixture {
  /** Migrated and empty. */
  store: SwitchStore;
  /** A second instance on the same backend (another process's view), migrated. */
  peer(): Promise<SwitchStore>;
  cleanup(): Promise<void>;
}

export function closure(schedule: string, overrides: Partial<EmergencyClosure> = {}): EmergencyClosure {
  return {
    schedule,
    until: '2026-11-25T18:00:00.000Z',
    reason: 'výpadek systému',
    since: '2026-11-25T08:00:00.000Z',
    ...overrides,
  };
}

export function switchStoreContract(
  name: string,
  factory: () => Promise<SwitchStoreFixture>,
  options: { changeWithinMs?: number } = {},
): void {
  const within = options.changeWithinMs ?? 1000;

  describe(`SwitchStore contract: ${name}`, () => {
    let fixture: SwitchStoreFixture | undefined;
    const peers: SwitchStore[] = [];

    async function open(): Promise<SwitchStore> {
      fixture = await factory();
      return fixture.store;
    }

    async function peer(): Promise<SwitchStore> {
      if (fixture === undefined) throw new Error('open() first');
      const p = await fixture.peer();
      peers.push(p);
      return p;
    }

    afterEach(async () => {
      await Promise.allSettled(peers.splice(0).map((p) => p.close()));
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('starts empty; migrate() is idempotent', async () => {
      const store = await open();
      expect(store.kind).toMatch(/\S/);
      await store.migrate();
      expect(await store.closures()).toEqual([]);
    });

    it('sets, lists (by schedule) and clears closures', async () => {
      const store = await open();
      await store.setClosure(closure('general'));
      await store.setClosure(closure('claims', { reason: 'školení' }));
      expect(await store.closures()).toEqual([closure('claims', { reason: 'školení' }), closure('general')]);
      expect(await store.clearClosure('general')).toBe(true);
      expect(await store.closures()).toEqual([closure('claims', { reason: 'školení' })]);
    });

    it('keeps one closure per schedule (the last write wins)', async () => {
      const store = await open();
      await store.setClosure(closure('general'));
      const later = closure('general', {
        until: '2026-11-26T06:00:00.000Z',
        reason: 'povodně',
        since: '2026-11-25T09:30:00.000Z',
      });
      await store.setClosure(later);
      expect(await store.closures()).toEqual([later]);
    });

    it('normalises instants to toISOString form and keeps expired closures', async () => {
      const store = await open();
      await store.setClosure(closure('general', { until: '2020-01-01T01:00:00+01:00', since: '2019-12-31T23:00:00Z' }));
      expect(await store.closures()).toEqual([
        closure('general', { until: '2020-01-01T00:00:00.000Z', since: '2019-12-31T23:00:00.000Z' }),
      ]);
    });

    it('rejects a malformed closure', async () => {
      const store = await open();
      await expect(store.setClosure(closure('general', { until: 'tomorrow' }))).rejects.toThrow();
      await expect(store.setClosure(closure(''))).rejects.toThrow();
      expect(await store.closures()).toEqual([]);
    });

    it('clearing an unknown schedule returns false', async () => {
      const store = await open();
      expect(await store.clearClosure('nope')).toBe(false);
      await store.setClosure(closure('general'));
      expect(await store.clearClosure('general')).toBe(true);
      expect(await store.clearClosure('general')).toBe(false);
    });

    it(`a second instance sees changes within ${within} ms`, async () => {
      const store = await open();
      const other = await peer();
      await store.setClosure(closure('general'));
      await waitFor(async () => (await other.closures()).length === 1, within, 'set on peer');
      expect(await other.closures()).toEqual([closure('general')]);
      // And back: the peer clears, the first instance follows.
      expect(await other.clearClosure('general')).toBe(true);
      await waitFor(async () => (await store.closures()).length === 0, within, 'clear on first');
    });

    it(`onChange fires on a second instance within ${within} ms`, async () => {
      const store = await open();
      const other = await peer();
      if (other.onChange === undefined) return; // optional in the port
      let fired = 0;
      other.onChange(() => {
        fired += 1;
      });
      await store.setClosure(closure('claims'));
      await waitFor(() => fired > 0, within, 'onChange after set');
      const afterSet = fired;
      await store.clearClosure('claims');
      await waitFor(() => fired > afterSet, within, 'onChange after clear');
      expect(await other.closures()).toEqual([]);
    });

    it('close() is clean and idempotent', async () => {
      const store = await open();
      await store.close();
      await store.close();
    });
  });
}
