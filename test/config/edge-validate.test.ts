// validate, tried as a supervisor would (issue 12): an empty consent notice, errors in several
// files in one run, and the new prompt/flow options (spokenIn, rate, timeout) with their ranges.
// Runs on the frozen fixture test/fixtures/config.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { formatIssue } from '../../src/config/issues.js';
import { readConfigFiles } from '../../src/config/load.js';
import { fixtureConfig, type FixtureEdit } from '../support/fixture-config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function validate(...edits: FixtureEdit[]): string[] {
  const dir = fixtureConfig('config', edits);
  dirs.push(dir);
  const result = buildBundle(readConfigFiles(dir));
  return result.ok ? [] : result.issues.map(formatIssue);
}

const NOTICE = /notice: >-\n(?: {6}.*\n)+/;

describe('validate: issue 12 rules', () => {
  it('the fixture itself is valid', () => {
    expect(validate()).toEqual([]);
  });

  it.each([
    ['an empty notice', 'notice: ""\n'],
    ['a whitespace-only notice', 'notice: "   "\n'],
  ])('%s is an error at prompts/cs.yaml:<line>', (_name, to) => {
    expect(validate(['prompts/cs.yaml', NOTICE, to])).toEqual([
      'prompts/cs.yaml:12 prompts.consent.notice: the consent notice "consent.notice" is empty: callers must hear it before they can consent',
    ]);
  });

  it('a bad time in hours.yaml does not hide an unknown queue in the flow', () => {
    const lines = validate(
      ['config/hours.yaml', 'mon: [{ from: "08:00", to: "16:00" }]', 'mon: [{ from: "08:00", to: "16:60" }]'],
      ['flows/infoline.yaml', 'queue: insurance,', 'queue: insurence,'],
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^config\/hours\.yaml:13 schedules\.spa\.weekly\.mon\[0\]\.to: /);
    expect(lines[1]).toBe('flows/infoline.yaml:34 nodes.insurance.queue: no queue "insurence" in config/queues.yaml');
  });

  it('a broken prompt file does not hide the flow’s unknown schedule', () => {
    const lines = validate(['prompts/en.yaml', /^voice: .*$/m, 'voice: [1'], ['flows/infoline.yaml', 'schedule: spa', 'schedule: spaa']);
    expect(lines.some((l) => l.startsWith('prompts/en.yaml:'))).toBe(true);
    expect(lines.some((l) => /^flows\/infoline\.yaml:\d+ nodes\.\w+\.schedule: no schedule "spaa"/.test(l))).toBe(true);
  });

  it('spokenIn must name a prompt of the file and a language that has a prompt file', () => {
    expect(validate(['prompts/cs.yaml', '  menu.9: en', '  menu.9: de'])).toEqual([
      expect.stringMatching(/^prompts\/cs\.yaml:\d+ spokenIn\.menu\.9: no prompts\/de\.yaml for language "de"/),
    ]);
    expect(validate(['prompts/cs.yaml', '  menu.9: en', '  menu.99: en'])).toEqual([
      expect.stringMatching(/^prompts\/cs\.yaml:\d+ spokenIn\.menu\.99: there is no prompt "menu\.99"/),
    ]);
  });

  it.each(['50%', '85%', '200%', 'slow', 'x-slow', '90'])('rate %s is accepted', (rate) => {
    expect(validate(['prompts/cs.yaml', '# rate: 85%', `rate: ${rate}`])).toEqual([]);
  });

  it.each(['49%', '201%', 'fastest', '0%', '-10%'])('rate %s is refused with the range', (rate) => {
    expect(validate(['prompts/cs.yaml', '# rate: 85%', `rate: ${rate}`])).toEqual([
      expect.stringMatching(/^prompts\/cs\.yaml:\d+ rate: .*from 50% to 200%/),
    ]);
  });

  it.each([
    [2, false],
    [3, true],
    [30, true],
    [31, false],
  ])('a menu timeout of %i s is %s', (seconds, ok) => {
    const lines = validate(['flows/infoline.yaml', /( {2}main:\n {4}kind: menu\n)/, `$1    timeout: ${seconds}\n`]);
    if (ok) expect(lines).toEqual([]);
    else expect(lines).toEqual([expect.stringMatching(/^flows\/infoline\.yaml:\d+ nodes\.main\.timeout: must be at (least 3|most 30)/)]);
  });
});

describe('validate: the voice speaks the file’s language', () => {
  it('a Google voice of another locale is refused at its line', () => {
    expect(validate(['prompts/cs.yaml', 'voice: Google.cs-CZ-Wavenet-A', 'voice: Google.en-GB-Wavenet-A'])).toEqual([
      'prompts/cs.yaml:6 voice: the voice "Google.en-GB-Wavenet-A" speaks en-GB, not this file\'s language cs-CZ',
    ]);
  });
});
