// What `validate` says about caller identification settings: identify only on routes, a
// TaskRouter workflow SID in its form, the dialogue's prompts in every language, and the
// screen-pop webhook never without its secret. On the frozen fixture config.
import { describe, expect, it } from 'vitest';
import { flowGraph } from '../../src/flow/graph.js';
import { runValidate } from '../../src/cli/validate.js';
import { buildBundle } from '../../src/config/bundle.js';
import { formatIssue } from '../../src/config/issues.js';
import { readConfigFiles } from '../../src/config/load.js';
import { EnvError, readEnv } from '../../src/main.js';
import { IDENTIFY_CONFIG } from '../support/identify.js';

const fixture = readConfigFiles(IDENTIFY_CONFIG);

function validate(file: string, from: string | RegExp, to: string): string[] {
  const files = new Map(fixture);
  const before = files.get(file) ?? '';
  const after = before.replace(from, to);
  if (after === before) throw new Error(`edit did not apply to ${file}`);
  files.set(file, after);
  const result = buildBundle(files);
  return result.ok ? [] : result.issues.map(formatIssue);
}

describe('identification in the config', () => {
  it('the fixture (identify on two routes, one TaskRouter queue) is valid', () => {
    const result = buildBundle(fixture);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.bundle.flow.nodes.insurance).toMatchObject({ kind: 'route', identify: true });
  });

  it('the flow diagram marks the identifying routes', () => {
    const result = buildBundle(fixture);
    if (!result.ok) throw new Error('fixture invalid');
    const graph = flowGraph(result.bundle);
    expect(graph).toContain('n_insurance["insurance: route (identifies caller; consent, recorded)"]');
    expect(graph).toContain('n_vitakarta["vitakarta: route (consent, recorded)"]');
  });

  it('identify on a menu or a say node is refused at its line', () => {
    expect(
      validate(
        'flows/infoline.yaml',
        '    onExhausted: general\n\n  insurance:',
        '    onExhausted: general\n    identify: true\n\n  insurance:',
      ),
    ).toEqual([expect.stringMatching(/^flows\/infoline\.yaml:\d+ nodes\.main\.identify: unknown key "identify"/)]);
    expect(validate('flows/infoline.yaml', '    next: main\n', '    next: main\n    identify: true\n')).toEqual([
      expect.stringMatching(/^flows\/infoline\.yaml:\d+ nodes\.spa_closed\.identify: unknown key "identify"/),
    ]);
  });

  it('identify must be true or false', () => {
    const lines = validate('flows/infoline.yaml', 'consent: true, identify: true }', 'consent: true, identify: maybe }');
    expect(lines).toEqual([expect.stringMatching(/nodes\.insurance\.identify: must be/)]);
  });

  it('a workflowSid that is not WW + 32 hex digits, or one on a dial target', () => {
    expect(validate('config/queues.yaml', 'WW0123456789abcdef0123456789abcdef', 'WW0123')).toEqual([
      'config/queues.yaml:13 queues.insurance.workflowSid: "WW0123" is not a TaskRouter workflow SID (WW followed by 32 hex digits)',
    ]);
    expect(validate('config/queues.yaml', 'WW0123456789abcdef0123456789abcdef', 'WQ0123456789abcdef0123456789abcdef')).toHaveLength(1);
    expect(validate('config/queues.yaml', '{ queue: ozp-insurance,', '{ dial: "+420261105555",')).toEqual([
      expect.stringMatching(/^config\/queues\.yaml:13 queues\.insurance\.workflowSid: workflowSid needs a Twilio queue/),
    ]);
  });

  it('the dialogue prompts must exist in every language when a route identifies', () => {
    const lines = validate('prompts/en.yaml', /\n {4}dobMismatch: .*\n/, '\n');
    expect(lines).toContain('flows/infoline.yaml:34 nodes.insurance.identify: prompt "identify.dobMismatch" is missing in prompts/en.yaml');
  });
});

describe('validate and the environment', () => {
  const run = (env: Record<string, string>) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runValidate({
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      env: { INFOLINE_CONFIG_DIR: IDENTIFY_CONFIG, ...env },
      now: () => 0,
    });
    return { code, out: out.join(''), err: err.join('') };
  };

  it('a webhook URL without its secret is an error (exit 1)', () => {
    const r = run({ IDENTITY_WEBHOOK_URL: 'https://crm.example/pop' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^environment: IDENTITY_WEBHOOK_URL is set without IDENTITY_WEBHOOK_SECRET/);
  });

  it('the service refuses to start on it, and on a state key that is not 32 bytes', () => {
    expect(() => readEnv({ IDENTITY_WEBHOOK_URL: 'https://crm.example/pop' })).toThrow(EnvError);
    expect(() => readEnv({ IDENTITY_STATE_KEY: 'c2hvcnQ=' })).toThrow(/IDENTITY_STATE_KEY must be 32 bytes/);
    expect(readEnv({ TWILIO_AUTH_TOKEN: 'token' }).identityStateKey).toHaveLength(32);
  });

  it('with the secret, or without a webhook, the config is OK', () => {
    expect(run({ IDENTITY_WEBHOOK_URL: 'https://crm.example/pop', IDENTITY_WEBHOOK_SECRET: 'crm-shared-secret-0123456789' }).code).toBe(0);
    expect(run({}).out).toMatch(/^OK: config version/);
  });
});
