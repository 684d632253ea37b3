// Fuzzed webhook requests with VALID signatures (random, truncated, near and above the body
// limit, wrong types, duplicate keys, unicode, missing CallSid, JSON, wrong content types,
// garbage in the call-state query): never a 5xx, never an unhandled rejection, always valid
// TwiML (a 4xx only for bodies over the limit, which are not Twilio's). Unsigned or forged
// requests get 403 and write nothing.
import formbody from '@fastify/formbody';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../src/app.js';
import { formParams } from '../../src/http/signature.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, TEST_BASE, TEST_TOKEN } from '../support/twilio.js';
import { checkTwiml } from './twiml-rules.js';

const ROUTES = [
  '/voice/incoming',
  '/voice/menu',
  '/voice/fallback',
  '/voice/status',
  '/voice/queue/wait',
  '/voice/queue/choice',
  '/voice/queue/done',
  '/voice/queue/message',
  '/voice/queue/bridged',
] as const;

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/json',
  'text/plain',
  'text/xml',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  undefined,
] as const;

interface FuzzRequest {
  path: string;
  contentType: string | undefined;
  body: string;
}

let t: TestApp;
let echo: FastifyInstance;
let echoed: unknown;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => {
  rejections.push(reason);
};

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  t = await buildTestApp();
  // The parameters a request carries, as the app's parsers read them (so the test signs what
  // Twilio would have signed): formbody for forms, Fastify's JSON parser, anything else empty.
  echo = Fastify({ bodyLimit: BODY_LIMIT_BYTES });
  await echo.register(formbody);
  echo.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));
  echo.post('/echo', async (request) => {
    echoed = request.body;
    return 'ok';
  });
  await echo.ready();
});

afterAll(async () => {
  await echo.close();
  await t.close();
  process.off('unhandledRejection', onRejection);
});

async function paramsOf(req: FuzzRequest): Promise<Record<string, string | string[]>> {
  echoed = undefined;
  const headers: Record<string, string> = {};
  if (req.contentType !== undefined) headers['content-type'] = req.contentType;
  const res = await echo.inject({ method: 'POST', url: '/echo', headers, payload: req.body });
  return res.statusCode === 200 ? formParams(echoed) : {};
}

async function send(req: FuzzRequest, signature: 'valid' | 'forged' | 'none' = 'valid') {
  const attempt = async (params: Record<string, string | string[]>) => {
    const headers: Record<string, string> = {};
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    if (signature === 'valid') headers['x-twilio-signature'] = getExpectedTwilioSignature(TEST_TOKEN, TEST_BASE + req.path, params);
    if (signature === 'forged') headers['x-twilio-signature'] = getExpectedTwilioSignature('not-the-token', TEST_BASE + req.path, params);
    return t.app.inject({ method: 'POST', url: req.path, headers, payload: req.body });
  };
  const params = await paramsOf(req);
  const res = await attempt(params);
  // A JSON body may be read as JSON (Fastify's parser) or as nothing (DESIGN: "bodies that are
  // not a form are read as nothing"); a valid signature is one made for either reading.
  if (signature === 'valid' && res.statusCode === 403 && req.contentType === 'application/json' && Object.keys(params).length > 0)
    return attempt({});
  return res;
}

/** Expectations for a signed request: TwiML, never 5xx. */
function expectTwimlAnswer(req: FuzzRequest, res: { statusCode: number; body: string; headers: Record<string, unknown> }) {
  const what = `${req.path} ${String(req.contentType)} ${JSON.stringify(req.body.slice(0, 300))} (${Buffer.byteLength(req.body)} bytes)`;
  expect(res.statusCode, what).toBeLessThan(500);
  const oversized = Buffer.byteLength(req.body) > BODY_LIMIT_BYTES;
  if (oversized && res.statusCode >= 400) return;
  expect(res.statusCode, `${what}\n${res.body}`).toBe(200);
  expect(String(res.headers['content-type']), what).toMatch(/^text\/xml/);
  expect(checkTwiml(res.body, { publicUrl: TEST_BASE }), `${what}\n${res.body}`).toEqual([]);
}

// --- arbitraries ----------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '1',
    '*',
    '#',
    '12',
    'CA' + 'a'.repeat(32),
    '+420603123456',
    'null',
    '[]',
    '{}',
    '<Say>x</Say>',
    ']]>',
    '&amp;',
    '%00',
    'ř'.repeat(100),
  ),
);
const paramName = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'CallSid',
      'From',
      'To',
      'Digits',
      'CallStatus',
      'AccountSid',
      'QueueResult',
      'QueuePosition',
      'QueueTime',
      'AvgQueueTime',
      'CurrentQueueSize',
      'DialCallStatus',
      'ErrorCode',
      'CallDuration',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Digits[]', 'a.b', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const paramValue = fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: fc.array(text, { minLength: 2, maxLength: 4 }) });
const formBody = fc.tuple(fc.boolean(), fc.array(fc.tuple(paramName, paramValue), { maxLength: 12 })).map(([withSid, pairs]) => {
  const p = new URLSearchParams();
  if (withSid) p.append('CallSid', newCallSid());
  for (const [k, v] of pairs) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
  return p.toString();
});
const realBody = new URLSearchParams({
  AccountSid: 'AC00000000000000000000000000000000',
  ApiVersion: '2010-04-01',
  CallSid: 'CA0123456789abcdef0123456789abcdef',
  CallStatus: 'in-progress',
  Called: '+420261105555',
  Caller: '+420603123456',
  Digits: '1',
  Direction: 'inbound',
  From: '+420603123456',
  FromCountry: 'CZ',
  To: '+420261105555',
  ToCountry: 'CZ',
}).toString();
const truncatedBody = fc.integer({ min: 0, max: realBody.length }).map((n) => realBody.slice(0, n));
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('%', '%%%', 'a=%E0%A4%A', '&&&=&=', '=', 'Digits=1&Digits=2', 'CallSid=CA12&CallSid=CA34&Digits=1'),
);
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.json({ maxDepth: 2 }).map((j) => j.slice(0, Math.floor(j.length / 2))),
  fc.constant(JSON.stringify({ CallSid: 'CA0123456789abcdef0123456789abcdef', Digits: 1, From: ['+420603123456'] })),
);
const largeBody = fc.integer({ min: BODY_LIMIT_BYTES - 2048, max: BODY_LIMIT_BYTES + 2048 }).map((size) => {
  const head = `CallSid=${newCallSid()}&Digits=1&Pad=`;
  return head + 'x'.repeat(Math.max(0, size - head.length));
});

// Encoded the way our own callback URLs are (URLSearchParams), so the test signs exactly the
// bytes that reach the server (light-my-request would escape a raw ' itself).
const strictEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }).map(strictEncode),
  fc.string({ unit: 'grapheme', maxLength: 10 }).map(strictEncode),
  fc.constantFrom(
    '',
    '%',
    '%ZZ',
    '%E0%A4%A',
    'main',
    'spa_closed',
    'english_menu',
    'general',
    'declined',
    '-1',
    '1e3',
    '99',
    'NaN',
    'cs',
    'en',
    'xx',
    'main%2Cmain%2Cnope',
    '0123456789ab',
    'noinput',
    '1',
  ),
);
const queryString = fc
  .array(fc.tuple(fc.constantFrom('v', 'n', 'r', 'l', 'h', 'e', 'route', 'c', 'connected', 'x'), queryValue), { maxLength: 8 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

// (An empty query is left out: light-my-request drops a bare trailing "?", Twilio never sends one.)
const withQuery = (route: string, q: string | null) => (q === null || q === '' ? route : `${route}?${q}`);
const pathArb = fc.tuple(fc.constantFrom(...ROUTES), fc.option(queryString, { freq: 3 })).map(([route, q]) => withQuery(route, q));

const requestArb: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.record({ path: pathArb, contentType: fc.constantFrom(CONTENT_TYPES[0], CONTENT_TYPES[1]), body: formBody }),
  fc.record({ path: pathArb, contentType: fc.constantFrom(...CONTENT_TYPES), body: fc.oneof(formBody, rawBody, truncatedBody) }),
  fc.record({ path: pathArb, contentType: fc.constant('application/json'), body: jsonBody }),
  fc.record({ path: pathArb, contentType: fc.constantFrom(CONTENT_TYPES[0], CONTENT_TYPES[4]), body: largeBody }),
);

// --- tests ----------------------------------------------------------------------------------

describe('fuzzed webhooks with valid signatures', () => {
  it('never answer 5xx, always TwiML (or 4xx only when over the body limit)', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        expectTwimlAnswer(req, await send(req));
      }),
      { numRuns: 400 },
    );
    expect(rejections).toEqual([]);
  });

  it('menu steps with garbage call state in the signed query re-prompt or start over, with valid TwiML', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, fc.oneof(fc.constantFrom('0', '1', '5', '9', '*', '#', ''), text), async (q, digits) => {
        const req = {
          path: withQuery('/voice/menu', q),
          contentType: 'application/x-www-form-urlencoded',
          body: new URLSearchParams({ CallSid: newCallSid(), Digits: digits }).toString(),
        };
        expectTwimlAnswer(req, await send(req));
      }),
      { numRuns: 200 },
    );
    expect(rejections).toEqual([]);
  });

  it.each([
    ['exactly at the limit', BODY_LIMIT_BYTES],
    ['one byte under', BODY_LIMIT_BYTES - 1],
  ])('a form body %s is a webhook like any other', async (_name, size) => {
    const head = `CallSid=${newCallSid()}&Pad=`;
    const req = { path: '/voice/incoming', contentType: 'application/x-www-form-urlencoded', body: head + 'x'.repeat(size - head.length) };
    expect(Buffer.byteLength(req.body)).toBe(size);
    const res = await send(req);
    expect(res.statusCode).toBe(200);
    expect(checkTwiml(res.body, { publicUrl: TEST_BASE })).toEqual([]);
  });

  it.each([
    ['one byte over the limit', BODY_LIMIT_BYTES + 1],
    ['four times the limit', BODY_LIMIT_BYTES * 4],
  ])('a form body %s is refused with a 4xx or answered with TwiML, never a 5xx', async (_name, size) => {
    const head = `CallSid=${newCallSid()}&Digits=1&Pad=`;
    const req = { path: '/voice/incoming', contentType: 'application/x-www-form-urlencoded', body: head + 'x'.repeat(size - head.length) };
    const res = await send(req);
    expectTwimlAnswer(req, res);
  });

  it('a duplicated Digits (Digits=1&Digits=2) is a wrong key, not a choice', async () => {
    const callSid = newCallSid();
    const first = await send({ path: '/voice/incoming', contentType: 'application/x-www-form-urlencoded', body: `CallSid=${callSid}` });
    const action = /action="([^"]+)"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const req = {
      path: action.replace(TEST_BASE, ''),
      contentType: 'application/x-www-form-urlencoded',
      body: `CallSid=${callSid}&Digits=1&Digits=2`,
    };
    const res = await send(req);
    expectTwimlAnswer(req, res);
    expect(res.body).toContain('<Gather');
    expect(await t.consentLog.list({ callSid })).toEqual([]);
  });
});

describe('unsigned and forged requests', () => {
  it('get 403 and write no consent', async () => {
    const wellFormed = fc.record({
      path: pathArb,
      contentType: fc.constantFrom(CONTENT_TYPES[0], CONTENT_TYPES[1]),
      body: fc.oneof(formBody, truncatedBody, fc.constant(realBody)),
    });
    const before = (await t.consentLog.list()).length;
    await fc.assert(
      fc.asyncProperty(wellFormed, fc.constantFrom<'forged' | 'none'>('forged', 'none'), async (req, signature) => {
        const res = await send(req, signature);
        expect(res.statusCode, `${signature} ${req.path} ${req.body}`).toBe(403);
      }),
      { numRuns: 200 },
    );
    expect((await t.consentLog.list()).length).toBe(before);
    expect(rejections).toEqual([]);
  });

  it('a valid signature replayed on another path or with another body gets 403', async () => {
    const body = realBody;
    const signature = getExpectedTwilioSignature(TEST_TOKEN, `${TEST_BASE}/voice/incoming`, Object.fromEntries(new URLSearchParams(body)));
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature };
    expect((await t.app.inject({ method: 'POST', url: '/voice/incoming', headers, payload: body })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/voice/menu?v=x&n=main', headers, payload: body })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: '/voice/incoming', headers, payload: body.replace('Digits=1', 'Digits=0') })).statusCode,
    ).toBe(403);
  });
});
