// The report's rules on small journeys: one figure per call whatever the duplicates, which
// queue results count as answered or abandoned, percentiles, the service level, the range.
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { formatIssue } from '../../src/config/issues.js';
import { readConfigFiles } from '../../src/config/load.js';
import { isAbandoned, summariseCall } from '../../src/report/call-summary.js';
import type { JourneyEvent } from '../../src/report/journey.js';
import { journeyReport, percentile } from '../../src/report/report.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const T0 = Date.parse('2026-11-30T08:00:00Z');
let n = 0;
/** One call's events, one second apart, from a compact description. */
function call(...steps: [JourneyEvent['kind'], Partial<JourneyEvent>?][]): JourneyEvent[] {
  const callSid = `CA${(++n).toString(16).padStart(32, '0')}`;
  return steps.map(([kind, extra], i) => ({
    callSid,
    at: new Date(T0 + n * 60_000 + i * 1000).toISOString(),
    node: 'main',
    kind,
    ...extra,
  }));
}
const range = { from: '2026-11-30T00:00:00Z', to: '2026-12-01T00:00:00Z' };
const routed = (queue: string): [JourneyEvent['kind'], Partial<JourneyEvent>] => ['route', { node: queue, queue }];

describe('report rules', () => {
  it('retried webhooks (duplicated events) count each call once', () => {
    const c = call(
      ['start'],
      ['choice', { detail: '1' }],
      ['choice', { detail: '1' }],
      routed('insurance'),
      routed('insurance'),
      ['queueResult', { detail: 'hangup', seconds: 50 }],
      ['queueResult', { detail: 'hangup', seconds: 50 }],
      ['status', { detail: 'completed', node: '' }],
      ['status', { detail: 'completed', node: '' }],
    );
    const r = journeyReport(c, range);
    expect(r.calls).toBe(1);
    expect(r.choices['1']).toBe(1);
    expect(r.queues.insurance).toMatchObject({ entered: 1, answered: 0, abandoned: 1, serviceLevel: 0 });
  });

  it('the first valid key at the main menu only: a key in a later menu is not a main-menu choice', () => {
    const c = call(
      ['start'],
      ['invalid'],
      ['choice', { detail: '9' }],
      ['menu', { node: 'english_menu' }],
      ['choice', { node: 'english_menu', detail: '1' }],
      routed('english'),
    );
    const r = journeyReport(c, range);
    expect(Object.entries(r.choices).filter(([, v]) => v > 0)).toEqual([['9', 1]]);
  });

  it('redirected-from-bridged and <Queue url> both mean answered; the wait is QueueTime', () => {
    const a = call(['start'], routed('eu'), ['queueResult', { detail: 'redirected-from-bridged', seconds: 12 }]);
    const b = call(['start'], routed('eu'), ['bridged', { seconds: 30 }], ['queueResult', { detail: 'bridged', seconds: 31 }]);
    const c = call(['start'], routed('eu'), ['queueResult', { detail: 'leave', seconds: 90 }]);
    expect(journeyReport([...a, ...b, ...c], range).queues.eu).toEqual({
      entered: 3,
      answered: 2,
      abandoned: 0,
      messages: 0,
      callbacks: 0,
      waitP50: 12,
      waitP90: 31,
      serviceLevel: 0.5,
    });
  });

  it('a call hung up in the menu is abandoned at the last node it reached; a routed or declined call is not', () => {
    const inMenu = call(
      ['start'],
      ['choice', { detail: '9' }],
      ['menu', { node: 'english_menu' }],
      ['status', { detail: 'completed', node: '' }],
    );
    const stillGoing = call(['start'], ['status', { detail: 'in-progress', node: '' }]);
    const declined = call(
      ['start'],
      ['choice', { detail: '0' }],
      ['declined', { node: 'declined' }],
      ['status', { detail: 'completed', node: '' }],
    );
    const r = journeyReport([...inMenu, ...stillGoing, ...declined], range);
    expect(r).toMatchObject({ calls: 3, declined: 1, abandonedInMenu: 1, abandonedByNode: { english_menu: 1 } });
    expect(isAbandoned(summariseCall(declined[0]!.callSid, declined))).toBe(false);
  });

  it('a call counts in the range its start is in, with all its later events', () => {
    const lateStart = call(['start'], routed('travel'));
    const shifted = lateStart.map((e, i) => ({ ...e, at: new Date(Date.parse('2026-11-30T22:59:59Z') + i * 5000).toISOString() }));
    shifted.push({ ...shifted[0]!, kind: 'queueResult', detail: 'bridged', seconds: 4, at: '2026-11-30T23:10:00.000Z' });
    expect(journeyReport(shifted, { from: range.from, to: '2026-11-30T23:00:00Z' }).queues.travel).toMatchObject({
      entered: 1,
      answered: 1,
      waitP50: 4,
    });
    expect(journeyReport(shifted, { from: '2026-11-30T23:00:00Z', to: range.to }).calls).toBe(0);
  });

  it('no calls: every key at 0, no queues, service level threshold kept', () => {
    expect(journeyReport([], range, 30)).toEqual({
      calls: 0,
      choices: { '0': 0, '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, '6': 0, '7': 0, '8': 0, '9': 0 },
      declined: 0,
      closed: {},
      abandonedInMenu: 0,
      abandonedByNode: {},
      queues: {},
      serviceLevelSeconds: 30,
    });
  });

  it('percentiles are nearest-rank over the answered waits', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([10, 20, 30], 90)).toBe(30);
  });
});

describe('serviceLevelSeconds in config/queues.yaml', () => {
  const files = readConfigFiles(FROZEN_CONFIG);
  const withDefaults = (line: string) => {
    const copy = new Map(files);
    copy.set('config/queues.yaml', copy.get('config/queues.yaml')!.replace('defaults:\n', `defaults:\n${line}\n`));
    return buildBundle(copy);
  };

  it('is read from defaults', () => {
    const built = withDefaults('  serviceLevelSeconds: 30');
    expect(built.ok && built.bundle.queues.defaults.serviceLevelSeconds).toBe(30);
  });

  it('a value that is not a whole positive number of seconds is refused with file:line', () => {
    const built = withDefaults('  serviceLevelSeconds: 0');
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.issues.map(formatIssue).join('\n')).toMatch(/^config\/queues\.yaml:\d+.* defaults\.serviceLevelSeconds/m);
  });
});
