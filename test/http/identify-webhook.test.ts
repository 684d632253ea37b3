// The CRM screen pop: a signed JSON POST to a real local HTTP receiver, sent after the caller's
// answer, retried on failure, never holding the caller.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentityWebhook, readIdentityEnv, type IdentityNotifier } from '../../src/integrations/identity-webhook.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { IDENTIFY_CONFIG } from '../support/identify.js';

const SECRET = 'crm-shared-secret-0123456789';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver answering each request with the next status of `statuses` (the last one repeats); 0 = never answer until released. */
async function receiver(statuses: number[]) {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  let arrived: () => void = () => {};
  const firstArrival = new Promise<void>((r) => (arrived = r));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      arrived();
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      if (status === 0) held.push(res);
      else res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/screen-pop`;
  return {
    url,
    received,
    firstArrival,
    release: () => held.splice(0).forEach((res) => res.writeHead(200).end()),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** What an integrator does: HMAC-SHA256 of the raw body with the shared secret, constant-time compare. */
function verify(secret: string, rawBody: string, header: string | string[] | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const given = Buffer.from(typeof header === 'string' ? header : '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

let t: TestApp | undefined;
let rx: Awaited<ReturnType<typeof receiver>> | undefined;
afterEach(async () => {
  rx?.release();
  await t?.close();
  await rx?.close();
  t = undefined;
  rx = undefined;
});

async function appWith(notifier: IdentityNotifier) {
  t = await buildTestApp({ configDir: IDENTIFY_CONFIG, now: '2026-11-25T09:00:00Z', identity: { notifier } });
  return t;
}

describe('identity webhook', () => {
  it('posts callSid, queue, insuredNumber, identity, at — signed with the shared secret', async () => {
    rx = await receiver([200]);
    const notifier = createIdentityWebhook({ url: rx.url, secret: SECRET });
    const app = await appWith(notifier);
    const call = await app.call('16808215469#121081968#');
    await notifier.drain();
    expect(rx.received).toHaveLength(1);
    const got = rx.received[0]!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(verify(SECRET, got.body, got.headers['x-infoline-signature'])).toBe(true);
    expect(verify('another-secret-0123456789', got.body, got.headers['x-infoline-signature'])).toBe(false);
    expect(JSON.parse(got.body)).toEqual({
      callSid: call.callSid,
      queue: 'insurance',
      insuredNumber: '6808215469',
      identity: 'two-identifiers',
      at: '2026-11-25T09:00:00.000Z',
    });
  });

  it('a skipped identification is announced too, without a number', async () => {
    rx = await receiver([200]);
    const notifier = createIdentityWebhook({ url: rx.url, secret: SECRET });
    const app = await appWith(notifier);
    await app.call('3*');
    await notifier.drain();
    expect(JSON.parse(rx.received[0]!.body)).toMatchObject({ queue: 'payments', insuredNumber: null, identity: 'none' });
  });

  it('retries after a failure (503, then 200): the same signed body twice', async () => {
    rx = await receiver([503, 200]);
    const notifier = createIdentityWebhook({ url: rx.url, secret: SECRET, retryDelaysMs: [5, 5] });
    const app = await appWith(notifier);
    await app.call('15911755509#1');
    await notifier.drain();
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1]!.body).toBe(rx.received[0]!.body);
    expect(verify(SECRET, rx.received[1]!.body, rx.received[1]!.headers['x-infoline-signature'])).toBe(true);
  });

  it('gives up after three attempts on a receiver that keeps failing; a 4xx refusal is not retried', async () => {
    rx = await receiver([500]);
    const failing = createIdentityWebhook({ url: rx.url, secret: SECRET, retryDelaysMs: [5, 5] });
    const event = { callSid: 'CA1', queue: 'insurance', insuredNumber: null, identity: 'none' as const, at: '2026-11-25T09:00:00.000Z' };
    expect(await failing.notify(event)).toBe(false);
    expect(rx.received).toHaveLength(3);
    await rx.close();
    rx = await receiver([400]);
    const refused = createIdentityWebhook({ url: rx.url, secret: SECRET, retryDelaysMs: [5, 5] });
    expect(await refused.notify(event)).toBe(false);
    expect(rx.received).toHaveLength(1);
  });

  it('never delays the caller: the answer is sent while the receiver has not answered yet', async () => {
    rx = await receiver([0]);
    const notifier = createIdentityWebhook({ url: rx.url, secret: SECRET, timeoutMs: 60_000 });
    const app = await appWith(notifier);
    const call = await app.call('15911755509#1');
    expect(call.end.kind).toBe('queue');
    // The receiver got the event and still holds its answer: the caller was answered without it.
    await rx.firstArrival;
    expect(rx.received).toHaveLength(1);
    rx.release();
    await notifier.drain();
  });
});

describe('identity settings', () => {
  it('a webhook URL without a secret is an error naming both variables', () => {
    const r = readIdentityEnv({ IDENTITY_WEBHOOK_URL: 'https://crm.example/pop' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/IDENTITY_WEBHOOK_URL.*IDENTITY_WEBHOOK_SECRET/);
    expect(readIdentityEnv({ IDENTITY_WEBHOOK_URL: 'ftp://x', IDENTITY_WEBHOOK_SECRET: SECRET }).ok).toBe(false);
    expect(readIdentityEnv({ IDENTITY_WEBHOOK_URL: 'https://crm.example/pop', IDENTITY_WEBHOOK_SECRET: SECRET })).toEqual({
      ok: true,
      value: { stateKey: undefined, webhook: { url: 'https://crm.example/pop', secret: SECRET } },
    });
  });
});
