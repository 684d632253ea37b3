// Recording strictly after consent. The outside world (Twilio's REST API) is a fake that
// remembers which calls it was asked to record; everything else is the real app.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingStarterFromEnv, TwilioRecordingStarter, type TwilioHttpClient } from '../../src/integrations/twilio-recording-starter.js';
import type { ConsentLog } from '../../src/store/ports.js';
import { attrs, parseTwiml, verbName } from '../../src/telephony/player.js';
import type { RecordingStarter } from '../../src/telephony/recording.js';
import { buildTestApp, failingConsentLog, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const WED_OPEN = '2026-11-25T09:00:00Z';

/** Stands in for Twilio's REST API: the calls it was asked to record. */
class FakeTwilioRecordings implements RecordingStarter {
  readonly started: string[] = [];
  async start(callSid: string): Promise<void> {
    this.started.push(callSid);
  }
}

/** The agent side dequeues the caller: Twilio requests the <Queue url> with the caller's CallSid. */
async function bridge(t: TestApp, callSid: string) {
  const res = await signedPost(t.app, '/voice/queue/bridged', {
    CallSid: callSid,
    QueueSid: 'QU0123',
    DequeingCallSid: newCallSid(),
    QueueTime: '42',
  });
  expect(res.statusCode).toBe(200);
  expect(parseTwiml(res.body).root).toBe('Response');
  return res;
}

let t: TestApp;
let twilio: FakeTwilioRecordings;
const opened: TestApp[] = [];
async function open(opts: Parameters<typeof buildTestApp>[0]): Promise<TestApp> {
  t = await buildTestApp(opts);
  opened.push(t);
  return t;
}
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

describe('Enqueue routes: recording starts at the bridge, only for a granted consent in the log', () => {
  const build = async (consentLog?: ConsentLog) => {
    twilio = new FakeTwilioRecordings();
    await open({ now: WED_OPEN, recordingStarter: twilio, ...(consentLog ? { consentLog } : {}) });
  };

  it('0 pressed (declined) → never started', async () => {
    await build();
    const call = await t.call('0');
    expect(call.end).toEqual({ kind: 'hangup' });
    await bridge(t, call.callSid);
    expect(twilio.started).toEqual([]);
  });

  it('hung up during the notice (no consent) → never started', async () => {
    await build();
    const callSid = newCallSid();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: callSid, From: '+420603123456' });
    expect(first.statusCode).toBe(200);
    await signedPost(t.app, '/voice/status', { CallSid: callSid, CallStatus: 'completed', CallDuration: '8' });
    await bridge(t, callSid);
    expect(twilio.started).toEqual([]);
  });

  it('no choice at all (general queue, no consent) → never started', async () => {
    await build();
    const call = await t.call('');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-general' });
    await bridge(t, call.callSid);
    expect(twilio.started).toEqual([]);
  });

  it('consent write failed → connected, but never started', async () => {
    await build(failingConsentLog());
    const call = await t.call('1');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-insurance' });
    await bridge(t, call.callSid);
    expect(twilio.started).toEqual([]);
  });

  it('granted → started exactly once, for the caller’s CallSid (a retried bridge webhook starts none)', async () => {
    await build();
    const call = await t.call('2');
    expect((await t.consentLog.list({ callSid: call.callSid }))[0]?.decision).toBe('granted');
    await bridge(t, call.callSid);
    await bridge(t, call.callSid);
    expect(twilio.started).toEqual([call.callSid]);
    expect(await t.metrics.registry.getSingleMetricAsString('infoline_recordings_started_total')).toMatch(/ 1$/m);
  });

  it('a failing REST API is logged and counted; the caller is still bridged', async () => {
    twilio = new FakeTwilioRecordings();
    const broken: RecordingStarter = {
      start: async () => {
        throw new Error('Twilio 503');
      },
    };
    await open({ now: WED_OPEN, recordingStarter: broken });
    const call = await t.call('1');
    const res = await bridge(t, call.callSid);
    expect(parseTwiml(res.body).verbs).toEqual([]);
    expect(await t.metrics.registry.getSingleMetricAsString('infoline_recording_failures_total')).toMatch(/ 1$/m);
  });
});

describe('Dial routes: <Dial record> only for a granted consent that was written', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'infoline-dial-config-'));
    for (const sub of ['flows', 'prompts', 'config']) cpSync(join(FROZEN_CONFIG, sub), join(dir, sub), { recursive: true });
    const queues = join(dir, 'config', 'queues.yaml');
    const text = readFileSync(queues, 'utf8')
      .replace(/insurance:\s*\{ queue: ozp-insurance \}/, 'insurance: { dial: "+420261105501" }')
      .replace(/general:\s*\{ queue: ozp-general \}/, 'general:   { dial: "sip:general@pbx.example.org" }');
    expect(text).toContain('+420261105501');
    expect(text).toContain('sip:general@pbx.example.org');
    writeFileSync(queues, text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('granted → <Dial record="record-from-answer-dual">', async () => {
    await open({ now: WED_OPEN, configDir: dir });
    const call = await t.call('1');
    expect(call.end).toEqual({ kind: 'dial', target: '+420261105501', record: 'record-from-answer-dual' });
  });

  it('consent write failed → the Dial has no record attribute', async () => {
    await open({ now: WED_OPEN, configDir: dir, consentLog: failingConsentLog() });
    const call = await t.call('1');
    expect(call.end).toMatchObject({ kind: 'dial', target: '+420261105501' });
    const dial = parseTwiml(call.steps.at(-1)!.twiml).verbs.find((v) => verbName(v) === 'Dial')!;
    expect(attrs(dial)).not.toHaveProperty('record');
  });

  it('no choice (general line, no consent) → the Dial has no record attribute', async () => {
    await open({ now: WED_OPEN, configDir: dir });
    const call = await t.call('');
    expect(call.end).toMatchObject({ kind: 'dial', target: 'sip:general@pbx.example.org' });
    expect(call.end).not.toHaveProperty('record', expect.anything());
  });

  it('a busy topic line retries the general line; recorded only with the granted consent in the log', async () => {
    await open({ now: WED_OPEN, configDir: dir });
    const granted = await t.call('1');
    const action = parseTwiml(granted.steps.at(-1)!.twiml).verbs.find((v) => verbName(v) === 'Dial')!;
    const done = attrs(action).action!;
    const retry = await signedPost(t.app, done, { CallSid: granted.callSid, DialCallStatus: 'busy' });
    const dial = parseTwiml(retry.body).verbs.find((v) => verbName(v) === 'Dial')!;
    expect(attrs(dial).record).toBe('record-from-answer-dual');
    // Same URL, another call whose consent never reached the log.
    const other = await signedPost(t.app, done, { CallSid: newCallSid(), DialCallStatus: 'busy' });
    const unrecorded = parseTwiml(other.body).verbs.find((v) => verbName(v) === 'Dial')!;
    expect(attrs(unrecorded)).not.toHaveProperty('record');
  });
});

describe('Twilio REST adapter', () => {
  it('POSTs a dual-channel recording for the CallSid to the account’s Calls/…/Recordings.json', async () => {
    const requests: { method: string; uri: string; username?: string | undefined; password?: string | undefined; data?: unknown }[] = [];
    // A fake of the REST API at the transport: twilio's own client builds the request.
    const httpClient = {
      request: async (opts: { method: string; uri: string; username?: string; password?: string; data?: unknown }) => {
        requests.push(opts);
        return {
          statusCode: 201,
          headers: {},
          body: JSON.stringify({ sid: 'RE' + '1'.repeat(32), call_sid: 'CA' + '2'.repeat(32), status: 'in-progress' }),
        };
      },
    } as unknown as TwilioHttpClient;
    const accountSid = 'AC' + 'a'.repeat(32);
    const callSid = 'CA' + '2'.repeat(32);
    const starter = new TwilioRecordingStarter({ accountSid, authToken: 'secret-token', httpClient });
    await starter.start(callSid);
    expect(requests).toHaveLength(1);
    const req = requests[0]!;
    expect(req.method.toUpperCase()).toBe('POST');
    expect(req.uri).toBe(`https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Calls/${callSid}/Recordings.json`);
    expect(req.username).toBe(accountSid);
    expect(req.password).toBe('secret-token');
    expect(req.data).toMatchObject({ RecordingChannels: 'dual', RecordingTrack: 'both' });
  });

  it('an API error rejects start() (the route logs and counts it)', async () => {
    const httpClient = {
      request: async () => ({ statusCode: 404, headers: {}, body: JSON.stringify({ code: 20404, message: 'not found', status: 404 }) }),
    } as unknown as TwilioHttpClient;
    const starter = new TwilioRecordingStarter({ accountSid: 'AC' + 'a'.repeat(32), authToken: 'x', httpClient });
    await expect(starter.start('CA' + '3'.repeat(32))).rejects.toThrow();
  });

  it('an API that never answers times out', async () => {
    const httpClient = { request: () => new Promise(() => undefined) } as unknown as TwilioHttpClient;
    const starter = new TwilioRecordingStarter({ accountSid: 'AC' + 'a'.repeat(32), authToken: 'x', httpClient, timeoutMs: 50 });
    await expect(starter.start('CA' + '3'.repeat(32))).rejects.toThrow(/within 50 ms/);
  });

  it('is enabled only when both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set', async () => {
    const sid = 'AC' + 'b'.repeat(32);
    expect(recordingStarterFromEnv({})).toBeUndefined();
    expect(recordingStarterFromEnv({ TWILIO_ACCOUNT_SID: sid })).toBeUndefined();
    expect(recordingStarterFromEnv({ TWILIO_AUTH_TOKEN: 'x' })).toBeUndefined();
    expect(recordingStarterFromEnv({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'x' })).toBeInstanceOf(TwilioRecordingStarter);
    expect(() => recordingStarterFromEnv({ TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 'x' })).toThrow(/TWILIO_ACCOUNT_SID/);
  });
});
