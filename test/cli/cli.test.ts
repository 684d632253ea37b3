// The supervisor commands through the real CLI binary: stdout holds only results, exit codes,
// no stack traces, and the same DATABASE_URL the server would use.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_FIELDS, type ConsentRecord } from '../../src/consent/record.js';
import { DIGITS } from '../../src/flow/schema.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { SqliteSwitchStore } from '../../src/store/sqlite-switch-store.js';
import { builtCli, cli, STACK, tempDir } from './support.js';

const dirs: string[] = [];
function freshDb(): string {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir, 'infoline.db');
}

beforeAll(async () => {
  await builtCli();
}, 240_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// 2026-11-25 is a Wednesday.
const WED_10 = '2026-11-25T10:00';

interface SimJson {
  at: string;
  language: string;
  version: string;
  steps: { request: string; input: string | null; heard: { kind: string; text?: string }[] }[];
  presses: string[];
  end: { kind: string; queue?: string; route?: string };
  consents: ConsentRecord[];
}

async function simulateJson(args: string[], db = freshDb()): Promise<SimJson> {
  const r = await cli(['simulate', ...args, '--json'], { DATABASE_URL: db });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as SimJson;
}

const spoken = (sim: SimJson) => sim.steps.flatMap((s) => s.heard.map((h) => h.text ?? '')).join('\n');

/** The `hours` lines of one schedule (the shipped config has several; ids are padded to the longest). */
const linesOf = (stdout: string, schedule: string): string =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith(`${schedule} `))
    .map((l) => `${l.replace(/^(\S+) +/, '$1  ')}\n`)
    .join('');

describe('infoline simulate', { timeout: 90_000 }, () => {
  it('text: prints every spoken text in full, each key press, and ends with where the call went', async () => {
    const r = await cli(['simulate', '--at', WED_10, '--press', '5'], { DATABASE_URL: freshDb() });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('call ended: queue ozp-spa (route spa)');
    expect(lines).toContain('  caller presses: 5');
    // The whole notice, not a shortened one.
    expect(r.stdout).toContain(
      '  caller hears: Informace o zpracování osobních údajů. Za účelem zvyšování kvality služeb OZP zpracovává nahrávky hovorů',
    );
    expect(r.stdout).toMatch(/přes elektronickou podatelnu\. Pokud klient souhlasí .* vybere si kontakt podle nabídky\.\n/);
    expect(lines[0]).toContain('2026-11-25 10:00 Europe/Prague (2026-11-25T09:00:00.000Z)');
    expect(r.stdout + r.stderr).not.toMatch(STACK);
  });

  it('--json: exactly one JSON document; Wednesday 10:00 Prague, key 5 → queue ozp-spa with a granted consent', async () => {
    const sim = await simulateJson(['--at', WED_10, '--press', '5']);
    expect(sim.at).toBe('2026-11-25T09:00:00.000Z');
    expect(sim.language).toBe('cs');
    expect(sim.version).toMatch(/^[0-9a-f]{12}$/);
    expect(sim.presses).toEqual(['5']);
    expect(sim.end).toMatchObject({ kind: 'queue', queue: 'ozp-spa', route: 'spa' });
    expect(sim.steps.map((s) => s.input)).toEqual([null, '5']);
    expect(sim.consents).toHaveLength(1);
    expect(sim.consents[0]).toMatchObject({ decision: 'granted', route: 'spa', at: '2026-11-25T09:00:00.000Z', flowVersion: sim.version });
  });

  it('--at wins over the clock: Christmas Eve 10:00 the spa team is closed (Štědrý den), with the next opening; then back to the menu', async () => {
    const sim = await simulateJson(['--at', '2026-12-24T10:00', '--press', '5']);
    expect(sim.at).toBe('2026-12-24T09:00:00.000Z');
    const closedStep = sim.steps[1]!;
    const text = closedStep.heard.map((h) => h.text).join('\n');
    expect(text).toContain('Oddělení lázeňství je nyní mimo provozní dobu.');
    expect(text).toContain('Štědrý den');
    // 24.–26. 12. are holidays, 27. is a Sunday: Monday 28. 12. at 8:00.
    expect(text).toContain('Znovu jsme pro Vás k dispozici v pondělí v 8:00.');
    expect(sim.end).toMatchObject({ kind: 'queue', queue: 'ozp-general', route: 'general' });
    expect(sim.consents).toEqual([]);
  });

  it('full ISO with an offset is the same instant', async () => {
    const sim = await simulateJson(['--at', '2026-12-24T09:00:00Z', '--press', '5']);
    expect(sim.at).toBe('2026-12-24T09:00:00.000Z');
    expect(spoken(sim)).toContain('Štědrý den');
  });

  it('--press 91 = 9 then 1: the English queue', async () => {
    const sim = await simulateJson(['--at', WED_10, '--press', '91']);
    expect(sim.presses).toEqual(['9', '1']);
    expect(sim.end).toMatchObject({ kind: 'queue', queue: 'ozp-english' });
    expect(sim.consents[0]).toMatchObject({ decision: 'granted', language: 'en', route: 'english' });
  });

  it('--press 0 declines: goodbye and hang-up, a declined consent (simulated only)', async () => {
    const r = await cli(['simulate', '--at', WED_10, '--press', '0'], { DATABASE_URL: freshDb() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('elektronickou podatelnu');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('call ended: goodbye (hang-up)');
  });

  it('no keys: the caller is silent, re-prompted, then the general queue (no consent)', async () => {
    const sim = await simulateJson(['--at', WED_10]);
    expect(sim.steps.slice(1).every((s) => s.input === 'silence')).toBe(true);
    expect(sim.steps.length).toBe(4); // first answer + 3 failed prompts (retries: 3)
    expect(sim.end).toMatchObject({ kind: 'queue', queue: 'ozp-general' });
    expect(sim.consents).toEqual([]);
  });

  it('* repeats and # is a wrong key', async () => {
    const sim = await simulateJson(['--at', WED_10, '--press', '*#1']);
    expect(sim.presses).toEqual(['*', '#', '1']);
    expect(sim.end).toMatchObject({ kind: 'queue', queue: 'ozp-insurance' });
    expect(sim.steps[2]!.heard.map((h) => h.text).join(' ')).toContain('Tuto volbu neznáme.');
  });

  it('--lang en starts the call in English', async () => {
    const sim = await simulateJson(['--at', WED_10, '--lang', 'en', '--press', '1']);
    expect(sim.language).toBe('en');
    expect(sim.steps[0]!.request).toBe('/voice/incoming?l=en');
    expect(spoken(sim)).toContain('Hello, you have reached the OZP telephone information centre.');
  });

  it('never writes a consent to the real log', async () => {
    const db = freshDb();
    for (const press of ['1', '0', '91']) await simulateJson(['--at', WED_10, '--press', press], db);
    const log = new SqliteConsentLog({ path: db });
    await log.migrate();
    try {
      expect(await log.list()).toEqual([]);
    } finally {
      await log.close();
    }
  });

  it('usage errors exit 2 with one line, no stack trace', async () => {
    const bad = await cli(['simulate', '--at', 'tomorrow-ish'], { DATABASE_URL: freshDb() });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      'infoline: --at "tomorrow-ish" is not a date/time (use e.g. 2026-12-24T10:00 for Prague time, or 2026-12-24T09:00:00Z)\n',
    );
    const key = await cli(['simulate', '--press', '5x'], { DATABASE_URL: freshDb() });
    expect(key.code).toBe(2);
    expect(key.stderr).toBe('infoline: --press "5x": "x" is not a phone key (use 0–9, * and #)\n');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toMatch(STACK);
  });
});

describe('infoline graph', { timeout: 90_000 }, () => {
  it('prints a Mermaid flowchart with every key 0–9 and * on an edge of each menu', async () => {
    const r = await cli(['graph']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('flowchart TD\n')).toBe(true);
    const edges = r.stdout.split('\n').filter((l) => l.includes('-->'));
    for (const menu of ['main', 'english_menu']) {
      const labels = edges
        .filter((l) => l.trimStart().startsWith(`n_${menu} `))
        .map((l) => /\|"([^"]*)"\|/.exec(l)?.[1] ?? '')
        .join(' ');
      for (const key of [...DIGITS, '*']) expect(labels, `${menu} key ${key}`).toContain(key);
    }
    expect(edges).toContain('  n_main -->|"5"| n_spa');
    expect(edges).toContain('  n_main -->|"* repeat"| n_main');
    expect(edges).toContain('  n_english_menu -->|"2,3,4,5,6,7,8,9 wrong key"| n_english_menu');
    expect(edges).toContain('  n_spa -->|"closed (spa)"| n_spa_closed');
    expect(edges).toContain('  n_declined -->|"end"| hangup');
  });
});

describe('infoline hours', { timeout: 90_000 }, () => {
  it('Christmas: holiday names, weekly hours, Friday until 14:00', async () => {
    const r = await cli(['hours', '--from', '2026-12-21', '--days', '8'], { DATABASE_URL: freshDb() });
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout, 'callbacks')).toContain('callbacks  2026-12-24  Thu  closed (Štědrý den)\n');
    expect(linesOf(r.stdout, 'spa')).toBe(
      [
        'spa  2026-12-21  Mon  08:00–16:00',
        'spa  2026-12-22  Tue  08:00–16:00',
        'spa  2026-12-23  Wed  08:00–16:00',
        'spa  2026-12-24  Thu  closed (Štědrý den)',
        'spa  2026-12-25  Fri  closed (1. svátek vánoční)',
        'spa  2026-12-26  Sat  closed (2. svátek vánoční)',
        'spa  2026-12-27  Sun  closed (outside weekly hours)',
        'spa  2026-12-28  Mon  08:00–16:00',
        '',
      ].join('\n'),
    );
  });

  it('an ordinary Friday: 08:00–14:00; --days defaults to 14', async () => {
    const r = await cli(['hours', '--from', '2026-11-27T12:00'], { DATABASE_URL: freshDb() });
    expect(r.code).toBe(0);
    const lines = linesOf(r.stdout, 'spa').trimEnd().split('\n');
    expect(lines).toHaveLength(14);
    expect(lines[0]).toBe('spa  2026-11-27  Fri  08:00–14:00');
  });

  it('rejects a bad --days', async () => {
    const r = await cli(['hours', '--days', 'many'], { DATABASE_URL: freshDb() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('infoline: --days "many" must be a whole number from 1 to 400\n');
  });
});

describe('infoline close / reopen', { timeout: 90_000 }, () => {
  it('round trip, visible in hours and in a simulated call on the same DATABASE_URL', async () => {
    const db = freshDb();
    const closed = await cli(['close', 'spa', '--until', '2099-01-01T00:00:00Z', '--reason', 'porucha ústředny'], { DATABASE_URL: db });
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout).toBe('closed spa until 2099-01-01T00:00:00.000Z (2099-01-01 01:00 Europe/Prague): porucha ústředny\n');

    const hours = await cli(['hours', '--from', '2026-11-25T10:00', '--days', '1'], { DATABASE_URL: db });
    expect(linesOf(hours.stdout, 'spa')).toBe(
      'spa  2026-11-25  Wed  closed (emergency: porucha ústředny until 2099-01-01T00:00:00.000Z)\n',
    );

    const sim = await simulateJson(['--at', WED_10, '--press', '5'], db);
    expect(sim.steps[1]!.heard.map((h) => h.text).join('\n')).toContain('Oddělení je mimořádně uzavřeno: porucha ústředny.');
    expect(sim.end).toMatchObject({ queue: 'ozp-general' });

    const reopened = await cli(['reopen', 'spa'], { DATABASE_URL: db });
    expect(reopened.stdout).toBe('reopened spa: emergency closure removed\n');
    const again = await cli(['reopen', 'spa'], { DATABASE_URL: db });
    expect(again.stdout).toBe('spa had no emergency closure; nothing changed\n');

    const open = await cli(['hours', '--from', '2026-11-25T10:00', '--days', '1'], { DATABASE_URL: db });
    expect(linesOf(open.stdout, 'spa')).toBe('spa  2026-11-25  Wed  08:00–16:00\n');
    const sim2 = await simulateJson(['--at', WED_10, '--press', '5'], db);
    expect(sim2.end).toMatchObject({ queue: 'ozp-spa' });
  });

  it('a duration is counted from now and stored as an ISO instant', async () => {
    const db = freshDb();
    const before = Date.now();
    const r = await cli(['close', 'spa', '--until', '90m', '--reason', 'školení'], { DATABASE_URL: db });
    expect(r.code, r.stderr).toBe(0);
    const store = new SqliteSwitchStore({ path: db });
    try {
      const [closure] = await store.closures();
      expect(closure).toMatchObject({ schedule: 'spa', reason: 'školení' });
      const until = Date.parse(closure!.until);
      expect(until - before).toBeGreaterThanOrEqual(90 * 60_000 - 1000);
      expect(until - Date.now()).toBeLessThanOrEqual(90 * 60_000 + 1000);
    } finally {
      await store.close();
    }
  });

  it('an unknown schedule is refused, naming the known ones', async () => {
    const r = await cli(['close', 'lazne', '--until', '2h', '--reason', 'x'], { DATABASE_URL: freshDb() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('infoline: no schedule "lazne" in config/hours.yaml (known: spa, callbacks)\n');
  });

  it('--until and --reason are required', async () => {
    const r = await cli(['close', 'spa', '--reason', 'x'], { DATABASE_URL: freshDb() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--until <time|duration>' not specified");
  });
});

describe('infoline consent export', { timeout: 90_000 }, () => {
  const row = (callSid: string, at: string, extra: Partial<ConsentRecord> = {}): ConsentRecord => ({
    callSid,
    at,
    caller: '+420603***456',
    decision: 'granted',
    language: 'cs',
    route: 'spa',
    noticeId: 'consent.notice',
    noticeVersion: 'b8de4eed4d6a',
    noticeSha256: 'a'.repeat(64),
    flowVersion: '8abf95b48bf0',
    ...extra,
  });
  let db: string;
  beforeAll(async () => {
    db = freshDb();
    const log = new SqliteConsentLog({ path: db });
    await log.migrate();
    await log.append(row('CA01', '2026-11-20T08:00:00.000Z'));
    await log.append(row('CA02', '2026-11-24T08:00:00.000Z', { decision: 'declined', route: 'none' }));
    await log.append(row('CA03', '2026-11-25T09:30:00.000Z', { caller: 'sip,"odd"' }));
    await log.close();
  });

  it('jsonl (default): one JSON object per row, fields in CONSENT_FIELDS order, nothing else on stdout', async () => {
    const r = await cli(['consent', 'export'], { DATABASE_URL: db });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const parsed of rows) expect(Object.keys(parsed)).toEqual([...CONSENT_FIELDS]);
    expect(rows.map((p) => p.callSid)).toEqual(['CA01', 'CA02', 'CA03']);
    expect(r.stderr).toContain('exported 3 consent rows');
  });

  it('--since filters (zone-less = Prague time)', async () => {
    const r = await cli(['consent', 'export', '--since', '2026-11-24T09:00'], { DATABASE_URL: db });
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { callSid: string }).callSid),
    ).toEqual(['CA02', 'CA03']);
  });

  it('csv: a header row and RFC 4180 quoting', async () => {
    const r = await cli(['consent', 'export', '--format', 'csv', '--since', '2026-11-25T00:00:00Z'], { DATABASE_URL: db });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${CONSENT_FIELDS.join(',')}\r\n` +
        `CA03,2026-11-25T09:30:00.000Z,"sip,""odd""",granted,cs,spa,consent.notice,b8de4eed4d6a,${'a'.repeat(64)},8abf95b48bf0\r\n`,
    );
  });

  it('an unknown format is a usage error', async () => {
    const r = await cli(['consent', 'export', '--format', 'xml'], { DATABASE_URL: db });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
