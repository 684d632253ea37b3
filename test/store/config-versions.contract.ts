// The contract every ConfigVersionStore adapter must pass. Each test gets a fresh, migrated store
// whose database also holds a consent log (notice usage is read from its rows).
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigVersionStore, NoticeText } from '../../src/store/config-version-port.js';
import type { ConsentLog } from '../../src/store/ports.js';
import { consentRecord } from './consent-log.contract.js';

export interface ConfigVersionFixture {
  /** Migrated and empty. */
  store: ConfigVersionStore;
  /** The consent log in the same database, migrated. */
  consents: ConsentLog;
  /** A second store on the same database (another instance or a restart), migrated. */
  peer(): Promise<ConfigVersionStore>;
  cleanup(): Promise<void>;
}

export function noticeText(n: number, overrides: Partial<NoticeText> = {}): NoticeText {
  const sha256 = n.toString(16).padStart(2, '0').repeat(32);
  return {
    version: sha256.slice(0, 12),
    noticeId: 'consent.notice',
    language: n % 2 === 0 ? 'cs' : 'en',
    sha256,
    text: `Informace o zpracování osobních údajů č. ${n}.\nDruhý řádek „s uvozovkami“.`,
    ...overrides,
  };
}

const FILES = new Map([
  ['flows/infoline.yaml', 'start: menu\n'],
  ['prompts/cs.yaml', 'language: cs-CZ\nprompts:\n  a: "Dobrý den"\n'],
]);

export function configVersionContract(name: string, factory: () => Promise<ConfigVersionFixture>): void {
  describe(`ConfigVersionStore contract: ${name}`, () => {
    let fixture: ConfigVersionFixture | undefined;
    const peers: ConfigVersionStore[] = [];
    const open = async () => (fixture = await factory());

    afterEach(async () => {
      await Promise.allSettled(peers.splice(0).map((p) => p.close()));
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('an unknown version or notice is undefined; migrate() is idempotent', async () => {
      const { store } = await open();
      await store.migrate();
      expect(await store.get('000000000000')).toBeUndefined();
      expect(await store.notice('000000000000')).toBeUndefined();
      expect(await store.notices()).toEqual([]);
    });

    it('keeps files and notice texts exactly; a second put of the same version changes nothing', async () => {
      const { store } = await open();
      await store.put('abcdef012345', FILES, [noticeText(1), noticeText(2)]);
      await store.put('abcdef012345', new Map([['flows/infoline.yaml', 'other']]), [noticeText(1, { text: 'other' })]);
      expect(await store.get('abcdef012345')).toEqual(FILES);
      expect(await store.notice(noticeText(1).version)).toEqual(noticeText(1));
      expect(await store.notices()).toEqual([noticeText(1), noticeText(2)]);
    });

    it('another instance (or a restart) reads what one stored; concurrent puts of one version all succeed', async () => {
      const { store } = await open();
      const other = await fixture!.peer();
      peers.push(other);
      await Promise.all([
        store.put('abcdef012345', FILES, [noticeText(3)]),
        other.put('abcdef012345', FILES, [noticeText(3)]),
        store.put('abcdef012345', FILES, [noticeText(3)]),
      ]);
      expect(await other.get('abcdef012345')).toEqual(FILES);
      expect(await other.notices()).toEqual([noticeText(3)]);
    });

    it('notice usage: first and last consent row per notice version', async () => {
      const { store, consents } = await open();
      expect(await store.noticeUsage()).toEqual(new Map());
      await consents.append(consentRecord(1, { noticeVersion: 'aaaaaaaaaaaa' }));
      await consents.append(consentRecord(5, { noticeVersion: 'aaaaaaaaaaaa' }));
      await consents.append(consentRecord(3, { noticeVersion: 'bbbbbbbbbbbb' }));
      const usage = await store.noticeUsage();
      expect(usage.get('aaaaaaaaaaaa')).toEqual({ firstUsed: consentRecord(1).at, lastUsed: consentRecord(5).at });
      expect(usage.get('bbbbbbbbbbbb')).toEqual({ firstUsed: consentRecord(3).at, lastUsed: consentRecord(3).at });
    });
  });
}
