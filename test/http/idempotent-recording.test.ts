// Recording after consent against a fake of Twilio's REST API (a real local HTTP server at
// TWILIO_API_URL), and Twilio's retried webhooks (I-Twilio-Idempotency-Token): a retry never
// starts a second recording, not even on another instance sharing the database.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordingStarterFromEnv, TwilioRecordingStarter } from '../../src/integrations/twilio-recording-starter.js';
import { SqliteClaimStore } from '../../src/store/sqlite-claims.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import type { RecordingStarter } from '../../src/telephony/recording.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { signedPost } from '../support/twilio.js';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const TOKEN = 'rest-token';

interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  form: URLSearchParams;
}

let server: Server;
let apiUrl: string;
let seen: SeenRequest[];
let status = 201;

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

beforeEach(async () => {
  seen = [];
  status = 201;
  server = createServer((req, res) => {
    void body(req).then((text) => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        form: new URLSearchParams(text),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          status < 300 ? { sid: 'RE' + '9'.repeat(32), status: 'in-progress' } : { code: 20404, message: 'not found', status },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('the REST recording starter at TWILIO_API_URL', () => {
  it('POSTs a dual-channel recording to Calls/{CallSid}/Recordings.json with basic auth', async () => {
    const starter = recordingStarterFromEnv({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_URL: apiUrl })!;
    const callSid = 'CA' + '4'.repeat(32);
    await starter.start(callSid);
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Calls/${callSid}/Recordings.json`);
    expect(req.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
    expect(req.form.get('RecordingChannels')).toBe('dual');
    expect(req.form.get('RecordingTrack')).toBe('both');
  });

  it('an API error rejects start()', async () => {
    status = 404;
    const starter = new TwilioRecordingStarter({ accountSid: ACCOUNT, authToken: TOKEN, apiUrl });
    await expect(starter.start('CA' + '5'.repeat(32))).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });

  it('TWILIO_API_URL must be an http(s) URL', () => {
    expect(() =>
      recordingStarterFromEnv({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_URL: 'api.twilio.com' }),
    ).toThrow(/TWILIO_API_URL/);
  });
});

describe('retried bridged webhooks', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
  });

  /** Two instances on one database file, both starting recordings at the fake REST API. */
  async function twoInstances(): Promise<[TestApp, TestApp]> {
    const starter = (): RecordingStarter => new TwilioRecordingStarter({ accountSid: ACCOUNT, authToken: TOKEN, apiUrl });
    const a = await buildTestApp({ recordingStarter: starter() });
    apps.push(a);
    const b = await buildTestApp({
      recordingStarter: starter(),
      consentLog: new SqliteConsentLog({ path: a.dbPath }),
      claims: new SqliteClaimStore({ path: a.dbPath }),
    });
    apps.push(b);
    return [a, b];
  }

  it('a retry with I-Twilio-Idempotency-Token, on this or another instance, starts no second recording', async () => {
    const [a, b] = await twoInstances();
    const call = await a.call('1');
    expect(call.end.kind).toBe('queue');
    const params = { CallSid: call.callSid, QueueSid: 'QU' + '1'.repeat(32) };
    const first = await signedPost(a.app, '/voice/queue/bridged', params, { headers: { 'I-Twilio-Idempotency-Token': 'tok-1' } });
    expect(first.statusCode).toBe(200);
    const retryHere = await signedPost(a.app, '/voice/queue/bridged', params, { headers: { 'I-Twilio-Idempotency-Token': 'tok-1' } });
    const retryThere = await signedPost(b.app, '/voice/queue/bridged', params, { headers: { 'I-Twilio-Idempotency-Token': 'tok-1' } });
    for (const res of [first, retryHere, retryThere]) expect(res.statusCode).toBe(200);
    expect(seen.map((r) => r.path)).toEqual([`/2010-04-01/Accounts/${ACCOUNT}/Calls/${call.callSid}/Recordings.json`]);
  });

  it('retries racing on two instances at once start exactly one recording', async () => {
    const [a, b] = await twoInstances();
    const call = await a.call('2');
    const params = { CallSid: call.callSid };
    await Promise.all(
      [a, b, a, b].map((x) => signedPost(x.app, '/voice/queue/bridged', params, { headers: { 'I-Twilio-Idempotency-Token': 'tok-2' } })),
    );
    expect(seen).toHaveLength(1);
  });

  it('a call without a granted consent is never recorded', async () => {
    const [a] = await twoInstances();
    const call = await a.call('0');
    await signedPost(a.app, '/voice/queue/bridged', { CallSid: call.callSid });
    expect(seen).toHaveLength(0);
  });
});
