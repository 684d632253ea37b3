// `infoline consent notice <version>`: the exact text of a notice version a consent row names.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteConfigVersionStore } from '../../src/store/sqlite-config-versions.js';
import { cli, tempDir } from './support.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/config', import.meta.url));
const dir = tempDir('infoline-notice-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = 'Informace o zpracování osobních údajů.\nZnění platné od 1. ledna 2025 — „přesně“ takto.';
const SHA = createHash('sha256').update(TEXT).digest('hex');

describe('infoline consent notice', () => {
  it('prints exactly the stored text (stdout only the text); unknown or malformed versions fail on stderr', async () => {
    const db = join(dir, 'infoline.db');
    const store = new SqliteConfigVersionStore({ path: db });
    await store.migrate();
    await store.put('abcabcabcabc', new Map([['flows/infoline.yaml', 'x']]), [
      { version: SHA.slice(0, 12), noticeId: 'consent.notice', language: 'cs', sha256: SHA, text: TEXT },
    ]);
    await store.close();
    const env = { DATABASE_URL: db, INFOLINE_CONFIG_DIR: FIXTURE };

    const ok = await cli(['consent', 'notice', SHA.slice(0, 12)], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(TEXT);
    expect(createHash('sha256').update(ok.stdout).digest('hex')).toBe(SHA);

    const unknown = await cli(['consent', 'notice', 'ffffffffffff'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^infoline: no consent notice with version ffffffffffff/);

    const bad = await cli(['consent', 'notice', '../etc'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
  }, 180_000); // the first CLI run of a test file compiles the CLI

  it('a version of the current config files is found before the service ever stored it', async () => {
    const { compileConfig } = await import('../../src/call/compiled.js');
    const { buildBundle } = await import('../../src/config/bundle.js');
    const { readConfigFiles } = await import('../../src/config/load.js');
    const built = buildBundle(readConfigFiles(FIXTURE));
    if (!built.ok) throw new Error('fixture config invalid');
    const config = compileConfig(built.bundle);
    const en = config.notices.en!;
    const run = await cli(['consent', 'notice', en.version], { DATABASE_URL: join(dir, 'fresh.db'), INFOLINE_CONFIG_DIR: FIXTURE });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(config.speech.text('en', 'consent.notice'));
    expect(createHash('sha256').update(run.stdout).digest('hex')).toBe(en.sha256);
  }, 180_000);
});
