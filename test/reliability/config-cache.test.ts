// The validated-config cache of `npm start` (the bundled dist/server.js, issue 17): a restart on
// unchanged files reads the kept bundle back, and an edit made while the service was down is what
// the next start serves — never the kept bundle of the old files.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childrenOf, parseTwiml, textOf, verbName } from '../../src/telephony/player.js';
import { copyDefaultConfig } from '../cli/support.js';
import { ensureBuilt, freePort, startService, stopService, waitUntil, type ServiceProcess } from './service-process.js';

const GREETING_CS = 'Dobrý den, dovolali jste se do Telefonního informačního centra OZP.';

let dir: string;
let configDir: string;
let cacheDir: string;
const running: ServiceProcess[] = [];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'infoline-config-cache-'));
  configDir = copyDefaultConfig();
  cacheDir = join(dir, 'config-cache');
}, 180_000);

afterAll(async () => {
  for (const s of running) await stopService(s, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
});

/** Starts the built service, answers one call, stops it; returns what the caller heard first. */
async function firstWords(): Promise<string> {
  const service = startService(
    { DATABASE_URL: join(dir, 'infoline.db'), LOG_LEVEL: 'error', INFOLINE_CONFIG_DIR: configDir, CONFIG_CACHE_DIR: cacheDir },
    await freePort(),
  );
  running.push(service);
  try {
    await waitUntil(service, async () => (await fetch(`${service.base}/healthz`)).ok);
    const res = await fetch(`${service.base}/voice/incoming`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ CallSid: `CA${'c'.repeat(32)}`, From: '+420603123456' }).toString(),
    });
    expect(res.status).toBe(200);
    // The first <Say>, at the top or inside the menu's <Gather>.
    const says = parseTwiml(await res.text()).verbs.flatMap((v) =>
      verbName(v) === 'Say' ? [v] : childrenOf(v).filter((c) => verbName(c) === 'Say'),
    );
    expect(says.length).toBeGreaterThan(0);
    return textOf(says[0]!);
  } finally {
    await stopService(service);
  }
}

/** The one kept bundle (written off the answering thread: waited for briefly). */
async function cacheFile(): Promise<string> {
  const kept = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.bin')) : []);
  for (let i = 0; i < 100 && kept().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(kept()).toHaveLength(1);
  return join(cacheDir, kept()[0]!);
}

describe('npm start with CONFIG_CACHE_DIR', () => {
  it('keeps the validated config, reads it back on a restart, and serves an edit made while stopped', async () => {
    expect(await firstWords()).toContain(GREETING_CS);
    const file = await cacheFile();

    // Mark the kept bundle: a restart that says the mark read the cache, not the files.
    const entry = deserialize(readFileSync(file)) as { bundle: { prompts: { cs: { prompts: Record<string, unknown> } } } };
    entry.bundle.prompts.cs.prompts.greeting = 'Pozdrav z mezipaměti.';
    writeFileSync(file, serialize(entry));
    expect(await firstWords()).toContain('Pozdrav z mezipaměti.');

    // An edit while the service is down: validated and served, the kept bundle replaced.
    const prompts = join(configDir, 'prompts/cs.yaml');
    writeFileSync(prompts, readFileSync(prompts, 'utf8').replace(GREETING_CS, 'Dobrý den, tady infolinka OZP.'));
    expect(await firstWords()).toContain('Dobrý den, tady infolinka OZP.');
    const kept = async () => (deserialize(readFileSync(await cacheFile())) as typeof entry).bundle.prompts.cs.prompts.greeting;
    for (let i = 0; i < 100 && (await kept()) !== 'Dobrý den, tady infolinka OZP.'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await kept()).toBe('Dobrý den, tady infolinka OZP.');
  }, 60_000);
});
