// The contract every SessionStore adapter must pass: versions start at 0, endSessions raises
// them per user, and a second instance on the same backend sees the raise at once.
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionStore } from '../../src/store/session-port.js';

export interface SessionStoreFixture {
  /** Migrated and empty. */
  store: SessionStore;
  /** Another instance on the same backend (another server), migrated. */
  peer(): Promise<SessionStore>;
  cleanup(): Promise<void>;
}

export function sessionStoreContract(name: string, factory: () => Promise<SessionStoreFixture>, options: { shared?: boolean } = {}): void {
  describe(`SessionStore contract: ${name}`, () => {
    let fixture: SessionStoreFixture | undefined;
    const opened: SessionStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await fixture?.cleanup();
      fixture = undefined;
    });
    const open = async () => {
      fixture = await factory();
      return fixture.store;
    };

    it('starts at version 0 for any user, including names like Object.prototype keys', async () => {
      const store = await open();
      for (const user of ['sam.supervisor', 'constructor', '__proto__', 'toString']) expect(await store.version(user)).toBe(0);
    });

    it('endSessions raises the version of that user only', async () => {
      const store = await open();
      expect(await store.endSessions('sam.supervisor')).toBe(1);
      expect(await store.endSessions('sam.supervisor')).toBe(2);
      expect(await store.version('sam.supervisor')).toBe(2);
      expect(await store.version('vera.viewer')).toBe(0);
    });

    it('is migrated twice without losing versions', async () => {
      const store = await open();
      await store.endSessions('dana.dpo');
      await store.migrate();
      expect(await store.version('dana.dpo')).toBe(1);
    });

    if (options.shared ?? true) {
      it('another instance sees a logout at once', async () => {
        const store = await open();
        const other = await fixture!.peer();
        opened.push(other);
        expect(await other.version('sam.supervisor')).toBe(0);
        await store.endSessions('sam.supervisor');
        expect(await other.version('sam.supervisor')).toBe(1);
        await other.endSessions('sam.supervisor');
        expect(await store.version('sam.supervisor')).toBe(2);
      });
    }
  });
}
