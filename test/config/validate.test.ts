// Broken configurations and exactly what a supervisor reads about them. Each case copies the
// frozen default config (test/fixtures/config), applies one edit, and pins
// the output lines of the pure validation; some run through the real CLI binary as well.
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { formatIssue } from '../../src/config/issues.js';
import { readConfigFiles } from '../../src/config/load.js';
import { builtCli, cli, copyDefaultConfig, editFile, STACK } from '../cli/support.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const defaults = readConfigFiles(FROZEN_CONFIG);

type Edit = [file: string, from: string | RegExp, to: string] | [file: string, remove: null];

/** Output lines of validating the default config with `edits` applied. */
function validate(...edits: Edit[]): string[] {
  const files = new Map(defaults);
  for (const edit of edits) {
    const [file, from] = edit;
    if (from === null) {
      files.delete(file);
      continue;
    }
    const before = files.get(file);
    if (before === undefined) throw new Error(`no ${file}`);
    const after = before.replace(from, edit[2] as string);
    if (after === before) throw new Error(`edit did not apply: ${String(from)} not found in ${file}`);
    files.set(file, after);
  }
  const result = buildBundle(files);
  return result.ok ? [] : result.issues.map(formatIssue);
}

/** No zod jargon reaches a supervisor. */
function expectPlain(lines: string[]): void {
  for (const line of lines) {
    expect(line).not.toMatch(/Invalid input|expected \w+, received|received undefined|Too (small|big)|Invalid key in record|ZodError/);
  }
}

const HOURS = 'config/hours.yaml';
const FLOW = 'flows/infoline.yaml';
const QUEUES = 'config/queues.yaml';
const CS = 'prompts/cs.yaml';
const EN = 'prompts/en.yaml';

describe('the default configuration', () => {
  it('has no problems', () => {
    const result = buildBundle(defaults);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
  });
});

describe('broken configurations, pinned', () => {
  const cases: [name: string, edits: Edit[], expected: string[]][] = [
    [
      'a time that does not exist',
      [[HOURS, 'fri: [{ from: "08:00", to: "14:00" }]', 'fri: [{ from: "08:00", to: "14:60" }]']],
      ['config/hours.yaml:17 schedules.spa.weekly.fri[0].to: "14:60" is not a time (HH:MM)'],
    ],
    [
      'an unknown time zone',
      [[HOURS, 'timezone: Europe/Prague', 'timezone: Europe/Praha']],
      ['config/hours.yaml:10 schedules.spa.timezone: "Europe/Praha" is not a known time zone (IANA, e.g. Europe/Prague)'],
    ],
    [
      'an unknown holiday country',
      [[HOURS, 'holidays: CZ', 'holidays: XX']],
      ['config/hours.yaml:11 schedules.spa.holidays: "XX" is not a country known to the holiday calendar'],
    ],
    [
      'an unknown key in hours (named, on its own line)',
      [[HOURS, '    weekly:\n', '    weekley: {}\n    weekly:\n']],
      [
        'config/hours.yaml:12 schedules.spa.weekley: unknown setting "weekley" (allowed here: timezone, holidays, weekly, closures, openings, name)',
      ],
    ],
    [
      'an unknown day',
      [[HOURS, '      mon:', '      monday:']],
      ['config/hours.yaml:13 schedules.spa.weekly.monday: unknown day "monday" (use mon, tue, wed, thu, fri, sat, sun)'],
    ],
    [
      'an unknown node kind',
      [[FLOW, 'kind: language', 'kind: lang']],
      ['flows/infoline.yaml:55 nodes.english.kind: must be one of menu, route, say, language, goodbye, got "lang"'],
    ],
    [
      'a route to an unknown queue',
      [[FLOW, 'queue: travel,', 'queue: travl,']],
      ['flows/infoline.yaml:39 nodes.travel.queue: no queue "travl" in config/queues.yaml'],
    ],
    [
      'a route with an unknown schedule',
      [[FLOW, 'schedule: spa\n    closed: spa_closed', 'schedule: spas\n    closed: spa_closed']],
      ['flows/infoline.yaml:46 nodes.spa.schedule: no schedule "spas" in config/hours.yaml'],
    ],
    [
      'a prompt missing in en.yaml',
      [[EN, /^ {2}greeting: .*\n/m, '']],
      [
        'flows/infoline.yaml:19 nodes.main.intro[0]: prompt "greeting" is missing in prompts/en.yaml',
        'prompts/cs.yaml:10 prompts.greeting: prompt "greeting" is missing in prompts/en.yaml (every prompt must exist in every language)',
      ],
    ],
    [
      'a prompt only in one language',
      [[CS, /^ {2}greeting:/m, '  extra: Ahoj\n  greeting:']],
      ['prompts/cs.yaml:10 prompts.extra: prompt "extra" is missing in prompts/en.yaml (every prompt must exist in every language)'],
    ],
    [
      'a digit neither mapped nor invalid',
      [[FLOW, '      "8": eu\n', '']],
      [
        'flows/infoline.yaml:21 nodes.main.options: key 8 goes nowhere: map it under options or list it under invalid (answered as a wrong key)',
      ],
    ],
    [
      'retries: 9',
      [[FLOW, 'retries: 3', 'retries: 9']],
      ['flows/infoline.yaml:14 retries: must be at most 5 (callers must reach a person quickly)'],
    ],
    [
      'retries that is not a number',
      [[FLOW, 'retries: 3', 'retries: three']],
      ['flows/infoline.yaml:14 retries: must be a number, got "three"'],
    ],
    [
      'an unreachable node',
      [[FLOW, /$/, '  orphan: { kind: route, queue: general, consent: false }\n']],
      ['flows/infoline.yaml:76 nodes.orphan: node "orphan" cannot be reached from start "main"'],
    ],
    [
      'a YAML syntax error (positioned, only the first)',
      [[QUEUES, '  general:   { queue: ozp-general }', '  general:   { queue: ozp-general']],
      ['config/queues.yaml:13:3 YAML syntax error: flow map in block collection must be sufficiently indented and end with a }'],
    ],
    [
      'a tab used for indentation',
      [[QUEUES, '  general:', '\tgeneral:']],
      ['config/queues.yaml:12:1 YAML syntax error: a tab is used for indentation; indent with spaces only'],
    ],
    [
      'a duplicate key',
      [[QUEUES, '  eu:        { queue: ozp-eu }', '  eu:        { queue: ozp-eu }\n  eu:        { queue: ozp-eu2 }']],
      ['config/queues.yaml:21:3 duplicate key "eu": each key may appear only once in the same place'],
    ],
    [
      'a menu target that does not exist',
      [[FLOW, '"7": travel', '"7": travle']],
      ['flows/infoline.yaml:28 nodes.main.options.7: no node named "travle"'],
    ],
    [
      'recorded routes reachable before the consent notice',
      [[FLOW, 'intro: [greeting, consent.notice, menu.about]', 'intro: [greeting, menu.about]']],
      [
        'flows/infoline.yaml:34 nodes.insurance.consent: route "insurance" records the call but can be reached before the consent notice "consent.notice" is played',
        'flows/infoline.yaml:35 nodes.vitakarta.consent: route "vitakarta" records the call but can be reached before the consent notice "consent.notice" is played',
        'flows/infoline.yaml:36 nodes.payments.consent: route "payments" records the call but can be reached before the consent notice "consent.notice" is played',
        'flows/infoline.yaml:37 nodes.benefits.consent: route "benefits" records the call but can be reached before the consent notice "consent.notice" is played',
        'flows/infoline.yaml:38 nodes.doctors.consent: route "doctors" records the call but can be reached before the consent notice "consent.notice" is played',
        'flows/infoline.yaml:39 nodes.travel.consent: route "travel" records the call but can be reached before the consent notice "consent.notice" is played',
        'flows/infoline.yaml:40 nodes.eu.consent: route "eu" records the call but can be reached before the consent notice "consent.notice" is played',
        'flows/infoline.yaml:45 nodes.spa.consent: route "spa" records the call but can be reached before the consent notice "consent.notice" is played',
      ],
    ],
    [
      'a dial target that is not a number',
      [[QUEUES, '{ queue: ozp-eu }', '{ dial: "261 105 555" }']],
      ['config/queues.yaml:20 queues.eu.dial: "261 105 555" is not a phone number in +E.164 form or a sip: URI'],
    ],
    [
      'a queue with neither queue nor dial',
      [[QUEUES, '{ queue: ozp-eu }', '{ maxSize: 3 }']],
      ['config/queues.yaml:20 queues.eu: needs queue: <Twilio queue name> or dial: <+E.164 number or sip: URI>'],
    ],
    ['a missing config file', [[HOURS, null]], ['config/hours.yaml file is missing']],
    ['an empty file', [[QUEUES, /[^]*/, '# nothing here yet\n']], ['config/queues.yaml file is empty']],
    [
      'a list where a mapping is expected (whole file)',
      [[QUEUES, /[^]*/, '- general\n- spa\n']],
      ['config/queues.yaml:1 the file must be a mapping (key: value), got a list'],
    ],
    [
      'a text where a mapping is expected',
      [[QUEUES, '  eu:        { queue: ozp-eu }', '  eu:        ozp-eu']],
      ['config/queues.yaml:20 queues.eu: must be a mapping (key: value), got "ozp-eu"'],
    ],
    [
      'a wrong type',
      [
        [
          FLOW,
          'insurance: { kind: route, queue: insurance, consent: true }',
          'insurance: { kind: route, queue: insurance, consent: yes please }',
        ],
      ],
      ['flows/infoline.yaml:34 nodes.insurance.consent: must be true or false, got "yes please"'],
    ],
    [
      'a missing key (at the parent key line)',
      [[FLOW, '    onExhausted: general\n\n  insurance', '\n  insurance']],
      ['flows/infoline.yaml:17 nodes.main.onExhausted: is required but missing'],
    ],
    [
      'a node name that is not allowed (line of the key)',
      [
        [FLOW, '  general: { kind: route', '  General: { kind: route'],
        [FLOW, 'onExhausted: general\n\n  insurance', 'onExhausted: General\n\n  insurance'],
      ],
      [
        'flows/infoline.yaml:32 nodes.main.onExhausted: "General" is not a node name (lowercase letters, digits, _)',
        'flows/infoline.yaml:75 nodes.General: "General" is not a node name (lowercase letters, digits, _)',
      ],
    ],
    [
      'a silent caller sent round in circles',
      [[FLOW, 'onExhausted: general\n\n  insurance', 'onExhausted: spa\n\n  insurance']],
      [
        'flows/infoline.yaml:32 nodes.main.onExhausted: a caller who presses nothing would go round for ever: main → spa → spa_closed → main; onExhausted must lead to a person (e.g. the general queue) or a goodbye',
      ],
    ],
    [
      'say nodes that loop without waiting',
      [[FLOW, 'closed.back]\n    next: main', 'closed.back]\n    next: spa_closed']],
      ['flows/infoline.yaml:52 nodes.spa_closed.next: nodes loop without waiting for the caller: spa_closed → spa_closed'],
    ],
    [
      'two unknown keys, one line each',
      [[FLOW, 'retries: 3', 'retries: 3\nretry: 4\ntimeout: 5']],
      [
        'flows/infoline.yaml:15 retry: unknown key "retry" (allowed here: start, retries, notice, nodes)',
        'flows/infoline.yaml:16 timeout: unknown key "timeout" (allowed here: start, retries, notice, nodes)',
      ],
    ],
  ];

  it.each(cases)('%s', (_name, edits, expected) => {
    const lines = validate(...edits);
    expect(lines).toEqual(expected);
    expectPlain(lines);
  });

  it('reports every error of every file in one run', () => {
    const lines = validate(
      [HOURS, 'timezone: Europe/Prague', 'timezone: Mars/Olympus'],
      [FLOW, 'retries: 3', 'retries: 9'],
      [QUEUES, '{ queue: ozp-eu }', '{ dial: "12" }'],
      [EN, /^language: .*$/m, 'language: english'],
    );
    expect(lines).toEqual([
      'config/hours.yaml:10 schedules.spa.timezone: "Mars/Olympus" is not a known time zone (IANA, e.g. Europe/Prague)',
      'config/queues.yaml:20 queues.eu.dial: "12" is not a phone number in +E.164 form or a sip: URI',
      'flows/infoline.yaml:14 retries: must be at most 5 (callers must reach a person quickly)',
      'prompts/en.yaml:4 language: "english" is not a language tag (e.g. cs-CZ)',
    ]);
  });
});

describe('infoline validate (the CLI binary)', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  const configCopy = () => {
    const dir = copyDefaultConfig();
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    await builtCli();
  }, 240_000);
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 with a one-line summary for the default config', async () => {
    const dir = configCopy();
    const r = await cli(['validate'], { INFOLINE_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: config version [0-9a-f]{12} — 1 flow, \d+ nodes, 2 languages, 10 queues, 2 schedules\n$/);
    expect(r.stderr).toBe('');
  });

  it('prints every error as file:line path: message and exits 1, never a stack trace (unknown time zone, bad time)', async () => {
    const dir = configCopy();
    editFile(dir, HOURS, 'timezone: Europe/Prague', 'timezone: Europe/Praha');
    editFile(dir, HOURS, 'to: "14:00"', 'to: "14:60"');
    const r = await cli(['validate'], { INFOLINE_CONFIG_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'config/hours.yaml:10 schedules.spa.timezone: "Europe/Praha" is not a known time zone (IANA, e.g. Europe/Prague)\n' +
        'config/hours.yaml:17 schedules.spa.weekly.fri[0].to: "14:60" is not a time (HH:MM)\n',
    );
    expect(r.stderr).toMatch(/^infoline: 2 errors in the configuration at /);
    expect(r.stdout + r.stderr).not.toMatch(STACK);
  });

  it('garbage YAML: a positioned syntax error, exit 1, no stack trace', async () => {
    const dir = configCopy();
    writeFileSync(join(dir, FLOW), 'start: main\nnodes: [\n  {{{ ::: \n');
    const r = await cli(['validate'], { INFOLINE_CONFIG_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^flows\/infoline\.yaml:\d+(:\d+)? YAML syntax error: /);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toMatch(STACK);
  });

  it('a missing file and an unknown node kind in one run', async () => {
    const dir = configCopy();
    unlinkSync(join(dir, QUEUES));
    editFile(dir, FLOW, 'kind: language', 'kind: lang');
    const r = await cli(['validate'], { INFOLINE_CONFIG_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'config/queues.yaml file is missing\nflows/infoline.yaml:55 nodes.english.kind: must be one of menu, route, say, language, goodbye, got "lang"\n',
    );
    expect(r.stdout + r.stderr).not.toMatch(STACK);
  });

  it('a config directory that does not exist: one message, exit 1', async () => {
    const r = await cli(['validate'], { INFOLINE_CONFIG_DIR: '/nonexistent/infoline-config' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'infoline: config directory /nonexistent/infoline-config does not exist (set INFOLINE_CONFIG_DIR or run in the repository)\n',
    );
  });
});
