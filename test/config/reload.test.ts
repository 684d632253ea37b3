// Hot reload on a temp copy of the default config: good edits become a new version within 2 s
// (in-place writes and editors' rename-over saves), bad edits are refused while the last good
// version keeps answering, and a call that spans a reload stays on the version it started with.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/config/issues.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import { attrs, childrenOf, parseTwiml, textOf, verbName } from '../../src/telephony/player.js';
import { buildTestApp, quietLogger, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { copyDefaultConfig } from '../cli/support.js';

const GREETING_CS = 'Dobrý den, dovolali jste se do Telefonního informačního centra OZP.';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tempConfig(): string {
  const dir = copyDefaultConfig();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function watchedRegistry(dir: string): ConfigRegistry {
  const registry = new ConfigRegistry({ dir, logger: quietLogger });
  registry.start();
  registry.watch();
  cleanups.push(() => registry.close());
  if (!registry.current) throw new Error('default config did not load');
  return registry;
}

/** Polls every 50 ms (up to 3 s) until `check` holds; returns the time it took. */
async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

function replaceIn(dir: string, file: string, from: string, to: string): string {
  const text = readFileSync(join(dir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
  return text.replace(from, to);
}

describe('ConfigRegistry hot reload', () => {
  it('an in-place write becomes the new version within 2 s', async () => {
    const dir = tempConfig();
    const registry = watchedRegistry(dir);
    const before = registry.current!.version;
    writeFileSync(join(dir, 'prompts/cs.yaml'), replaceIn(dir, 'prompts/cs.yaml', GREETING_CS, 'Dobrý den, tady infolinka OZP.'));
    const took = await waitFor(() => registry.current!.version !== before);
    expect(took).toBeLessThan(2000);
    expect(registry.current!.speech.text('cs', 'greeting')).toBe('Dobrý den, tady infolinka OZP.');
  });

  it("an editor's rename-over save (write a temp file, rename it over) becomes the new version within 2 s", async () => {
    const dir = tempConfig();
    const registry = watchedRegistry(dir);
    const before = registry.current!.version;
    const tmp = join(dir, 'config', '.hours.yaml.swp');
    writeFileSync(
      tmp,
      replaceIn(dir, 'config/hours.yaml', 'fri: [{ from: "08:00", to: "14:00" }]', 'fri: [{ from: "08:00", to: "13:00" }]'),
    );
    renameSync(tmp, join(dir, 'config/hours.yaml'));
    const took = await waitFor(() => registry.current!.version !== before);
    expect(took).toBeLessThan(2000);
    expect(registry.current!.bundle.hours.schedules.spa!.weekly.fri).toEqual([{ from: '08:00', to: '13:00' }]);
  });

  it('an invalid edit is refused with its issues listed; the current version does not change', async () => {
    const dir = tempConfig();
    const registry = watchedRegistry(dir);
    const before = registry.current!.version;
    writeFileSync(join(dir, 'config/hours.yaml'), replaceIn(dir, 'config/hours.yaml', 'timezone: Europe/Prague', 'timezone: Europe/Praha'));
    const r = registry.reload();
    expect(r.result).toBe('refused');
    expect(r.issues?.map(formatIssue)).toEqual([
      'config/hours.yaml:10 schedules.spa.timezone: "Europe/Praha" is not a known time zone (IANA, e.g. Europe/Prague)',
    ]);
    expect(registry.current!.version).toBe(before);
    expect(registry.lastRefused?.map(formatIssue)).toEqual(r.issues?.map(formatIssue));
    // Fixing it is picked up by the watcher and clears the refusal.
    writeFileSync(join(dir, 'config/hours.yaml'), replaceIn(dir, 'config/hours.yaml', 'timezone: Europe/Praha', 'timezone: Europe/Prague'));
    await waitFor(() => registry.lastRefused === undefined);
    expect(registry.current!.version).toBe(before);
  });
});

describe('the app across reloads', () => {
  async function app(dir: string): Promise<TestApp> {
    const t = await buildTestApp({ configDir: dir, now: '2026-11-25T09:00:00Z' });
    cleanups.push(() => t.close());
    return t;
  }

  const gatherOf = (twiml: string) => parseTwiml(twiml).verbs.find((v) => verbName(v) === 'Gather');
  const saysOf = (twiml: string) => childrenOf(gatherOf(twiml) ?? {}).map(textOf);

  it('a refused edit leaves the app answering /voice/incoming with the last good version', async () => {
    const dir = tempConfig();
    const t = await app(dir);
    const before = t.registry.current!.version;
    writeFileSync(join(dir, 'flows/infoline.yaml'), 'start: main\nnodes: [ this is not valid\n');
    expect(t.registry.reload().result).toBe('refused');
    const res = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid(), From: '+420603123456' });
    expect(res.statusCode).toBe(200);
    const gather = gatherOf(res.body);
    expect(gather).toBeDefined();
    expect(new URL(attrs(gather!).action!).searchParams.get('v')).toBe(before);
    expect(saysOf(res.body)[0]).toBe(GREETING_CS);
  });

  it('a call that spans a reload stays on its version; a new call gets the new text', async () => {
    const dir = tempConfig();
    const t = await app(dir);
    const oldVersion = t.registry.current!.version;
    const callSid = newCallSid();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: callSid, From: '+420603123456' });
    const action = attrs(gatherOf(first.body)!).action!;
    expect(new URL(action).searchParams.get('v')).toBe(oldVersion);
    const OLD_1 = saysOf(first.body).find((s) => s.includes('stiskněte jedničku'))!;
    expect(OLD_1).toBeDefined();

    writeFileSync(join(dir, 'prompts/cs.yaml'), replaceIn(dir, 'prompts/cs.yaml', 'stiskněte jedničku.', 'zvolte jedničku (nový text).'));
    expect(t.registry.reload().result).toBe('applied');
    const newVersion = t.registry.current!.version;
    expect(newVersion).not.toBe(oldVersion);

    // The running call presses a wrong key: the re-prompt is still the old version's text.
    const again = await signedPost(t.app, action, { CallSid: callSid, From: '+420603123456', Digits: '#' });
    expect(again.statusCode).toBe(200);
    expect(new URL(attrs(gatherOf(again.body)!).action!).searchParams.get('v')).toBe(oldVersion);
    expect(saysOf(again.body)).toContain(OLD_1);
    expect(saysOf(again.body).join(' ')).not.toContain('nový text');

    // A new call hears the new text, on the new version.
    const fresh = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid(), From: '+420603123456' });
    expect(new URL(attrs(gatherOf(fresh.body)!).action!).searchParams.get('v')).toBe(newVersion);
    expect(saysOf(fresh.body).join(' ')).toContain('zvolte jedničku (nový text).');
  });
});
