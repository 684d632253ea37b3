// The callback settings in config/queues.yaml: resolved per queue, checked with file:line errors.
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { formatIssue } from '../../src/config/issues.js';
import { readConfigFiles } from '../../src/config/load.js';
import { resolveQueue, resolveQueueOrGeneral } from '../../src/telephony/queues-schema.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

// Callbacks are part of the shipped config: its frozen copy is the fixture.
const FIXTURE = FROZEN_CONFIG;
const QUEUES = 'config/queues.yaml';

function build(edit: (text: string) => string) {
  const files = new Map(readConfigFiles(FIXTURE));
  files.set(QUEUES, edit(files.get(QUEUES) ?? ''));
  return buildBundle(files);
}

const problems = (edit: (text: string) => string) => {
  const r = build(edit);
  return r.ok ? [] : r.issues.map(formatIssue);
};

describe('callback settings', () => {
  it('defaults apply to every queue; a queue overrides single keys', () => {
    const r = build((t) => t.replace('{ queue: ozp-insurance }', '{ queue: ozp-insurance, callback: { concurrent: 5, enabled: false } }'));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(resolveQueue(r.bundle.queues, 'general')?.callback).toEqual({
      enabled: true,
      offerAfterSeconds: 120,
      schedule: 'callbacks',
      maxAttempts: 3,
      retryMinutes: 30,
      concurrent: 2,
    });
    expect(resolveQueue(r.bundle.queues, 'insurance')?.callback).toMatchObject({ enabled: false, concurrent: 5, schedule: 'callbacks' });
  });

  it('a queue the config no longer has falls back to the general queue', () => {
    const r = build((t) => t);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(resolveQueueOrGeneral(r.bundle.queues, 'insurance')?.id).toBe('insurance');
    expect(resolveQueueOrGeneral(r.bundle.queues, 'removed-team')?.id).toBe('general');
    expect(resolveQueue(r.bundle.queues, 'removed-team')).toBeUndefined();
  });

  it('an unknown schedule is reported at its line', () => {
    expect(problems((t) => t.replace('schedule: callbacks', 'schedule: callbackz'))).toEqual([
      'config/queues.yaml:10 defaults.callback.schedule: no schedule "callbackz" in config/hours.yaml',
    ]);
    expect(problems((t) => t.replace('{ queue: ozp-spa }', '{ queue: ozp-spa, callback: { schedule: nope } }'))).toEqual([
      'config/queues.yaml:17 queues.spa.callback.schedule: no schedule "nope" in config/hours.yaml',
    ]);
  });

  it('bad values and unknown keys name the key', () => {
    const lines = problems((t) => t.replace('maxAttempts: 3', 'maxAttempts: 0, retryMinits: 5'));
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('config/queues.yaml:10 defaults.callback'))).toBe(true);
    expect(lines.join('\n')).toContain('retryMinits');
  });
});
