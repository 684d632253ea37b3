// The validated-config cache of the bundled server's start (issue 17): an unchanged directory is
// read back instead of validated again, anything else (edited files, another build, a corrupt
// or foreign cache, a refused config) is validated as before.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle, snapshotHash, type ConfigBundle } from '../../src/config/bundle.js';
import { fileBundleCache, type BundleCache } from '../../src/config/bundle-cache.js';
import { readConfigSnapshot } from '../../src/config/load.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import { copyDefaultConfig } from '../cli/support.js';
import { quietLogger } from '../support/app.js';

const GREETING_CS = 'Dobrý den, dovolali jste se do Telefonního informačního centra OZP.';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function configCopy(): string {
  const dir = copyDefaultConfig();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function validated(dir: string): { hash: string; bundle: ConfigBundle } {
  const { files, issues } = readConfigSnapshot(dir);
  const built = buildBundle(files, issues);
  if (!built.ok) throw new Error('fixture config is not valid');
  return { hash: snapshotHash(files, issues), bundle: built.bundle };
}

const warnings: string[] = [];
const logger = { warn: (_obj: object, msg?: string) => void warnings.push(msg ?? '') };

function cacheIn(cacheDir: string, configDir: string, buildId = 'build-a'): BundleCache {
  return fileBundleCache({ dir: cacheDir, buildId, configDir, logger });
}

function startedWith(configDir: string, cache: BundleCache): ConfigRegistry {
  const registry = new ConfigRegistry({ dir: configDir, logger: quietLogger, startCache: cache });
  registry.start();
  cleanups.push(() => registry.close());
  return registry;
}

async function waitForFile(dir: string): Promise<void> {
  for (let i = 0; i < 100 && !(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.bin'))); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('fileBundleCache', () => {
  it('reads back what it wrote, for the same build and the same files only', async () => {
    const configDir = configCopy();
    const cacheDir = join(tempDir('infoline-cache-'), 'config-cache');
    const { hash, bundle } = validated(configDir);
    await cacheIn(cacheDir, configDir).write(hash, bundle);

    expect(cacheIn(cacheDir, configDir).read(hash)).toEqual(bundle);
    expect(cacheIn(cacheDir, configDir).read(`${hash}x`)).toBeUndefined();
    expect(cacheIn(cacheDir, configDir, 'build-b').read(hash)).toBeUndefined();
    // Another config directory has a file of its own.
    expect(cacheIn(cacheDir, `${configDir}-other`).read(hash)).toBeUndefined();
  });

  it('ignores a corrupt file and a directory others may write to', async () => {
    const configDir = configCopy();
    const cacheDir = join(tempDir('infoline-cache-'), 'config-cache');
    const { hash, bundle } = validated(configDir);
    const cache = cacheIn(cacheDir, configDir);
    await cache.write(hash, bundle);
    const [file] = readdirSync(cacheDir);

    chmodSync(cacheDir, 0o777);
    expect(cache.read(hash)).toBeUndefined();
    warnings.length = 0;
    await cache.write(hash, bundle);
    expect(warnings).toEqual(['validated config not cached; the next start validates it again']);

    chmodSync(cacheDir, 0o700);
    expect(cache.read(hash)).toEqual(bundle);
    writeFileSync(join(cacheDir, file!), 'not a serialized bundle');
    expect(cache.read(hash)).toBeUndefined();
  });
});

describe('ConfigRegistry start with a bundle cache', () => {
  it('validates and keeps a good config, serves the kept bundle while the files are unchanged, validates again after an edit', async () => {
    const configDir = configCopy();
    const cacheDir = join(tempDir('infoline-cache-'), 'config-cache');

    const first = startedWith(configDir, cacheIn(cacheDir, configDir));
    expect(first.current?.speech.text('cs', 'greeting')).toBe(GREETING_CS);
    await waitForFile(cacheDir);

    // Mark the kept bundle: a start that serves the mark read the cache instead of the files.
    const { hash, bundle } = validated(configDir);
    const marked = structuredClone(bundle);
    (marked.prompts.cs!.prompts as Record<string, unknown>).greeting = 'Z mezipaměti.';
    await cacheIn(cacheDir, configDir).write(hash, marked);
    expect(startedWith(configDir, cacheIn(cacheDir, configDir)).current?.speech.text('cs', 'greeting')).toBe('Z mezipaměti.');

    // An edited file changes the hash: validated from the files again.
    writeFileSync(join(configDir, 'config/hours.yaml'), `${readConfigSnapshot(configDir).files.get('config/hours.yaml')}\n# edited\n`);
    expect(startedWith(configDir, cacheIn(cacheDir, configDir)).current?.speech.text('cs', 'greeting')).toBe(GREETING_CS);
  });

  it('keeps nothing of a refused config', async () => {
    const configDir = configCopy();
    writeFileSync(join(configDir, 'config/queues.yaml'), 'queues: [\n');
    const cacheDir = join(tempDir('infoline-cache-'), 'config-cache');
    const registry = startedWith(configDir, cacheIn(cacheDir, configDir));
    expect(registry.current).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([]);
  });
});
