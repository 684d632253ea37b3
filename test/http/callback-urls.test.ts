// The callback-URL codec: the exact URLs Twilio signs (parameter names and order are part of
// the external contract), and reading each of them back.
import { describe, expect, it } from 'vitest';
import {
  acceptUrl,
  callbackUrls,
  decodeCallQuery,
  dialogueUrl,
  doneUrl,
  identifyUrl,
  incomingPath,
  messageUrl,
  offerUrl,
  outboundUrls,
  parseHoldQuery,
  parseIdentifyQuery,
  parseOutboundQuery,
  routeOfUrl,
  waitUrl,
} from '../../src/telephony/callback-urls.js';

const BASE = 'https://ivr.example.test';
const SHA = 'ab'.repeat(32);
const hold = { base: BASE, version: 'abc123', route: 'insurance', lang: 'cs' };

/** The query of a URL as Fastify hands it to a route (one value per name). */
const queryOf = (url: string): Record<string, string> => Object.fromEntries(new URL(url).searchParams);

describe('menu URLs', () => {
  const urls = callbackUrls(BASE, 'abc123', { cs: SHA });
  const state = { node: 'main', retries: 1, lang: 'cs', heard: ['main', 'info'] };

  it('carry v, n, r, l, h, nv in this order; silence adds e=noinput', () => {
    expect(urls.menu(state)).toBe(`${BASE}/voice/menu?v=abc123&n=main&r=1&l=cs&h=main%2Cinfo&nv=cs.${SHA}`);
    expect(urls.noInput({ ...state, heard: [] })).toBe(`${BASE}/voice/menu?v=abc123&n=main&r=1&l=cs&nv=cs.${SHA}&e=noinput`);
  });

  it('read back into the same pinned state; a forged node or version starts over', () => {
    expect(decodeCallQuery(queryOf(urls.menu(state)))).toEqual({ version: 'abc123', state, notices: { cs: SHA } });
    expect(decodeCallQuery({ ...queryOf(urls.menu(state)), n: '../etc' })).toBeUndefined();
    expect(decodeCallQuery({ ...queryOf(urls.menu(state)), v: 'XYZ' })).toBeUndefined();
  });

  it('name the route queues and identification with v, route, l (and c on the done URL, the heard notice on identify)', () => {
    expect(urls.queueWait('insurance', 'en')).toBe(`${BASE}/voice/queue/wait?v=abc123&route=insurance&l=en`);
    expect(urls.queueDone('insurance', 'cs', true)).toBe(`${BASE}/voice/queue/done?v=abc123&route=insurance&l=cs&c=1`);
    expect(urls.identify('insurance', 'cs')).toBe(`${BASE}/voice/identify?v=abc123&route=insurance&l=cs&nv=cs.${SHA}`);
    // Only the call language's notice travels on; none known, none sent.
    const both = callbackUrls(BASE, 'abc123', { cs: SHA, en: 'cd'.repeat(32) });
    expect(both.identify('insurance', 'en')).toBe(`${BASE}/voice/identify?v=abc123&route=insurance&l=en&nv=en.${'cd'.repeat(32)}`);
    expect(callbackUrls(BASE, 'abc123', {}).identify('insurance', 'cs')).toBe(`${BASE}/voice/identify?v=abc123&route=insurance&l=cs`);
  });
});

describe('queue and hold URLs', () => {
  it('are built exactly as Twilio signs them', () => {
    expect(waitUrl(hold)).toBe(`${BASE}/voice/queue/wait?v=abc123&route=insurance&l=cs`);
    expect(waitUrl(hold, { cycle: 2, quietUntil: 660 })).toBe(`${BASE}/voice/queue/wait?v=abc123&route=insurance&l=cs&k=2&s=660`);
    expect(doneUrl(hold)).toBe(`${BASE}/voice/queue/done?v=abc123&route=insurance&l=cs&c=0`);
    expect(messageUrl(hold)).toBe(`${BASE}/voice/queue/message?v=abc123&route=insurance&l=cs`);
    expect(offerUrl(hold, false, 600)).toBe(`${BASE}/voice/queue/choice?v=abc123&route=insurance&l=cs&t=600`);
    expect(offerUrl(hold, true, 90)).toBe(`${BASE}/voice/callback/offer?v=abc123&route=insurance&l=cs&t=90`);
    expect(dialogueUrl(hold, 'confirm', { offeredAt: 90, tries: 1 }, 'entered')).toBe(
      `${BASE}/voice/callback/confirm?v=abc123&route=insurance&l=cs&t=90&a=1&n=entered`,
    );
    expect(dialogueUrl(hold, 'number', { offeredAt: 90, tries: 0 })).toBe(
      `${BASE}/voice/callback/number?v=abc123&route=insurance&l=cs&t=90&a=0`,
    );
  });

  it('read back what they carry', () => {
    expect(parseHoldQuery(queryOf(waitUrl(hold, { cycle: 2, quietUntil: 660 })))).toMatchObject({
      v: 'abc123',
      route: 'insurance',
      l: 'cs',
      k: 2,
      s: 660,
      c: false,
    });
    expect(parseHoldQuery(queryOf(doneUrl({ ...hold, consent: true }))).c).toBe(true);
    expect(parseHoldQuery(queryOf(dialogueUrl(hold, 'confirm', { offeredAt: 90, tries: 1 }, 'entered')))).toMatchObject({
      t: 90,
      a: 1,
      n: 'entered',
    });
    expect(routeOfUrl(doneUrl(hold))).toBe('insurance');
  });

  it('read garbage as the defaults: the general route in Czech, no counters', () => {
    const q = parseHoldQuery({ route: '<script>', l: ['en', 'cs'], k: 'x', c: 'yes', v: ['a', 'b'] });
    expect(q).toEqual({
      v: undefined,
      route: 'general',
      l: 'cs',
      c: false,
      k: undefined,
      s: undefined,
      t: undefined,
      a: undefined,
      n: 'caller',
    });
    expect(parseHoldQuery(undefined)).toMatchObject({ route: 'general', l: 'cs' });
  });
});

describe('identification and outbound callback URLs', () => {
  it('identify appends the heard notice as nv and the sealed state as s', () => {
    const url = identifyUrl({ ...hold, notices: { cs: SHA } }, 'c2VhbGVk_-');
    expect(url).toBe(`${BASE}/voice/identify?v=abc123&route=insurance&l=cs&nv=cs.${SHA}&s=c2VhbGVk_-`);
    expect(parseIdentifyQuery({ ...queryOf(url), e: 'noinput' })).toEqual({
      version: 'abc123',
      route: 'insurance',
      lang: 'cs',
      sealed: 'c2VhbGVk_-',
      noInput: true,
      notices: { cs: SHA },
    });
    // A URL of an earlier release (no nv): no heard notice, the version's own is used.
    expect(parseIdentifyQuery(queryOf(identifyUrl(hold, 'c2VhbGVk_-'))).notices).toBeUndefined();
    expect(parseIdentifyQuery({ ...queryOf(url), nv: 'cs.not-a-hash' }).notices).toBeUndefined();
  });

  it('the outbound call: answer and status for the dispatcher, accept with r and e', () => {
    const o = { base: BASE, id: 'cb_1', version: 'abc123', lang: 'en' };
    expect(outboundUrls(o)).toEqual({
      url: `${BASE}/voice/callback/answer?id=cb_1&v=abc123&l=en`,
      statusCallback: `${BASE}/voice/callback/status?id=cb_1`,
    });
    expect(acceptUrl(o)).toBe(`${BASE}/voice/callback/accept?id=cb_1&v=abc123&l=en`);
    const redirect = acceptUrl(o, { r: '1', e: 'noinput' });
    expect(redirect).toBe(`${BASE}/voice/callback/accept?id=cb_1&v=abc123&l=en&r=1&e=noinput`);
    expect(parseOutboundQuery(queryOf(redirect))).toEqual({ id: 'cb_1', version: 'abc123', repeated: true, noInput: true });
    expect(parseOutboundQuery({ id: 'a b/c' }).id).toBeUndefined();
  });
});

describe('incomingPath', () => {
  it('starts a call in the default language at the bare URL, any other with ?l=', () => {
    expect(incomingPath('cs')).toBe('/voice/incoming');
    expect(incomingPath('en')).toBe('/voice/incoming?l=en');
  });
});
