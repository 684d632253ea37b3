// The caller-facing contract, played through the real webhooks with signed requests and
// parsed TwiML.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attrs, childrenOf, parseTwiml, textOf, verbName } from '../../src/telephony/player.js';
import { buildTestApp, failingConsentLog, type TestApp } from '../support/app.js';
import { newCallSid, signedPost, TEST_BASE } from '../support/twilio.js';

// 2026-11-25 is a Wednesday; 10:00 Prague = 09:00Z (CET).
const WED_OPEN = '2026-11-25T09:00:00Z';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ now: WED_OPEN });
});
afterEach(async () => {
  await t.close();
});

const says = (step: { heard: { kind: string; text?: string }[] }) => step.heard.filter((h) => h.kind === 'say').map((h) => h.text ?? '');

describe('first answer', () => {
  it('is one Gather numDigits=1 holding the consent notice and all nine menu items in Czech', async () => {
    const res = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid(), From: '+420603123456' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    const { verbs, root } = parseTwiml(res.body);
    expect(root).toBe('Response');
    expect(verbs.map(verbName)).toEqual(['Gather', 'Redirect']);
    const gather = verbs[0]!;
    expect(attrs(gather).numDigits).toBe('1');
    expect(attrs(gather).action!.startsWith(`${TEST_BASE}/voice/menu?`)).toBe(true);
    const inside = childrenOf(gather);
    expect(inside.every((c) => verbName(c) === 'Say')).toBe(true);
    // Czech throughout, except the English sentence for key 9, said by the English voice.
    const english = inside.filter((c) => textOf(c).includes('press nine'));
    expect(english.map((c) => attrs(c))).toEqual([{ language: 'en-GB', voice: 'Google.en-GB-Wavenet-A' }]);
    expect(
      inside.filter((c) => !english.includes(c)).every((c) => attrs(c).language === 'cs-CZ' && attrs(c).voice === 'Google.cs-CZ-Wavenet-A'),
    ).toBe(true);
    const text = inside.map((c) => JSON.stringify(c)).join(' ');
    expect(text).toContain('Za účelem zvyšování kvality služeb OZP zpracovává nahrávky hovorů');
    for (const word of ['jedničku', 'dvojky', 'trojku', 'čtyřky', 'pětky', 'šestky', 'sedmičky', 'osmičku', 'press nine']) {
      expect(text).toContain(word);
    }
    expect(new URL(verbs[1]!.Redirect ? (verbs[1]!.Redirect as { '#text': string }[])[0]!['#text'] : '').host).toBe(
      new URL(TEST_BASE).host,
    );
  });
});

describe('menu choices', () => {
  const topics: [string, string][] = [
    ['1', 'ozp-insurance'],
    ['2', 'ozp-vitakarta'],
    ['3', 'ozp-payments'],
    ['4', 'ozp-benefits'],
    ['6', 'ozp-doctors'],
    ['7', 'ozp-travel'],
    ['8', 'ozp-eu'],
  ];
  it.each(topics)('%s → consent granted, then Enqueue %s', async (digit, queue) => {
    const call = await t.call(digit);
    expect(call.end).toMatchObject({ kind: 'queue', queue });
    const rows = await t.consentLog.list({ callSid: call.callSid });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ decision: 'granted', language: 'cs', caller: '+420603***456', noticeId: 'consent.notice' });
    expect(rows[0]!.noticeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.at).toBe('2026-11-25T09:00:00.000Z');
    expect(rows[0]!.flowVersion).toBe(t.registry.current!.version);
  });

  it('* repeats the whole menu without counting as a failure', async () => {
    const call = await t.call('***1');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-insurance' });
    for (const step of call.steps.slice(1, 4)) {
      const text = says(step).join(' ');
      expect(text).toContain('jedničku');
      expect(text).toContain('press nine');
    }
  });

  it('0 declines: where to go instead, goodbye, Hangup, a declined row, nothing connected', async () => {
    const call = await t.call('0');
    expect(call.end).toEqual({ kind: 'hangup' });
    const last = call.steps.at(-1)!;
    const verbs = parseTwiml(last.twiml).verbs.map(verbName);
    expect(verbs.at(-1)).toBe('Hangup');
    expect(verbs).not.toContain('Enqueue');
    expect(verbs).not.toContain('Dial');
    const text = says(last).join(' ');
    expect(text).toContain('pobočku');
    expect(text).toContain('elektronickou podatelnu');
    const rows = await t.consentLog.list({ callSid: call.callSid });
    expect(rows.map((r) => [r.decision, r.route])).toEqual([['declined', 'none']]);
  });

  it('9 then 1: English notice, then the English queue with an English consent', async () => {
    const call = await t.call('91');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-english' });
    const english = call.steps[1]!;
    expect(english.heard.every((h) => h.kind !== 'say' || h.language === 'en-GB')).toBe(true);
    expect(says(english).join(' ')).toContain('press one');
    const rows = await t.consentLog.list({ callSid: call.callSid });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ decision: 'granted', language: 'en', route: 'english' });
    expect(rows[0]!.noticeSha256).not.toBe(t.registry.current!.notices.cs!.sha256);
  });
});

describe('wrong keys and silence', () => {
  it('no input three times → the general queue, no consent', async () => {
    const call = await t.call('');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-general' });
    expect(call.steps.filter((s) => s.input === 'silence')).toHaveLength(3);
    expect(says(call.steps[1]!).join(' ')).toContain('Nezaznamenali jsme');
    expect(await t.consentLog.list({ callSid: call.callSid })).toHaveLength(0);
  });

  it('invalid keys three times → the general queue, no consent', async () => {
    const call = await t.call('###');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-general' });
    expect(says(call.steps[1]!).join(' ')).toContain('Tuto volbu neznáme');
    expect(says(call.steps[1]!).join(' ')).toContain('jedničku');
    expect(await t.consentLog.list({ callSid: call.callSid })).toHaveLength(0);
  });

  it.each([[''], ['12'], ['a'], ['#'], ['<x/>']])('Digits=%j is answered like a wrong key, with TwiML', async (digits) => {
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid() });
    const action = attrs(parseTwiml(first.body).verbs[0]!).action!;
    const res = await signedPost(t.app, action, { CallSid: newCallSid(), Digits: digits });
    expect(res.statusCode).toBe(200);
    const verbs = parseTwiml(res.body).verbs;
    expect(verbs.map(verbName)).toEqual(['Gather', 'Redirect']);
    expect(JSON.stringify(verbs[0])).toContain('Tuto volbu neznáme');
  });
});

describe('spa team (5)', () => {
  it('open on a Wednesday morning: consent and the spa queue', async () => {
    const call = await t.call('5');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-spa' });
    expect((await t.consentLog.list({ callSid: call.callSid }))[0]).toMatchObject({ decision: 'granted', route: 'spa' });
  });

  const closedCases: [string, string, string][] = [
    // Friday 15:00 Prague → Monday
    ['2026-11-27T14:00:00Z', 'v pondělí v 8:00', 'Friday afternoon'],
    // Wednesday 17:00 Prague → tomorrow
    ['2026-11-25T16:00:00Z', 'zítra v 8:00', 'Wednesday evening'],
    // Wednesday 07:00 Prague → today
    ['2026-11-25T06:00:00Z', 'dnes v 8:00', 'Wednesday early morning'],
    // Christmas Eve (Thursday, public holiday) → Monday 28 December is 4 days ahead
    ['2026-12-24T09:00:00Z', 'v pondělí v 8:00', 'Štědrý den'],
    // Sunday of the spring DST switch, 10:00 CEST → Monday
    ['2026-03-29T08:00:00Z', 'zítra v 8:00', 'spring DST Sunday'],
    // Sunday of the autumn DST switch → Monday
    ['2026-10-25T09:00:00Z', 'zítra v 8:00', 'autumn DST Sunday'],
  ];
  it.each(closedCases)('closed at %s: hours, "%s", back to the menu (%s)', async (at, when) => {
    t.setNow(at);
    const call = await t.call('5');
    const closed = call.steps[1]!;
    const text = says(closed).join(' ');
    expect(text).toContain('pondělí až čtvrtek od 8:00 do 16:00');
    expect(text).toContain(when);
    // Back to the menu: the answer is a Gather again, the caller can choose something else.
    expect(parseTwiml(closed.twiml).verbs.map(verbName)).toEqual(['Gather', 'Redirect']);
    expect(text).toContain('jedničku');
    expect(await t.consentLog.list({ callSid: call.callSid })).toHaveLength(0);
  });

  it('names the public holiday', async () => {
    t.setNow('2026-12-24T09:00:00Z');
    const call = await t.call('5');
    expect(says(call.steps[1]!).join(' ')).toContain('Štědrý den');
  });

  it('opens right after the DST switches (Monday 08:00 local)', async () => {
    t.setNow('2026-03-30T06:00:00Z');
    expect((await t.call('5')).end).toMatchObject({ queue: 'ozp-spa' });
    t.setNow('2026-10-26T07:00:00Z');
    expect((await t.call('5')).end).toMatchObject({ queue: 'ozp-spa' });
    t.setNow('2026-10-26T06:59:59Z');
    expect((await t.call('5')).end).toMatchObject({ kind: 'queue', queue: 'ozp-general' });
  });

  it('an emergency closure closes the team until it expires', async () => {
    await t.switches.setClosure({ schedule: 'spa', until: '2026-11-25T12:00:00Z', reason: 'porucha telefonů', since: WED_OPEN });
    const closed = await t.call('5');
    expect(says(closed.steps[1]!).join(' ')).toContain('porucha telefonů');
    t.setNow('2026-11-25T12:00:00Z');
    expect((await t.call('5')).end).toMatchObject({ queue: 'ozp-spa' });
  });
});

describe('consent log', () => {
  it('a retried webhook adds no second row', async () => {
    const callSid = newCallSid();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: callSid });
    const action = attrs(parseTwiml(first.body).verbs[0]!).action!;
    const a = await signedPost(t.app, action, { CallSid: callSid, Digits: '1' });
    const b = await signedPost(t.app, action, { CallSid: callSid, Digits: '1' });
    expect(a.body).toBe(b.body);
    expect(await t.consentLog.list({ callSid })).toHaveLength(1);
  });

  it('a failed consent write still connects the caller, without recording', async () => {
    await t.close();
    t = await buildTestApp({ now: WED_OPEN, consentLog: failingConsentLog() });
    const call = await t.call('1');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-insurance' });
    const metrics = await t.metrics.registry.getSingleMetricAsString('infoline_consent_write_failures_total');
    expect(metrics).toMatch(/infoline_consent_write_failures_total 1/);
  });
});

describe('signatures', () => {
  it('a forged signature gets 403 and writes nothing', async () => {
    const callSid = newCallSid();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: callSid });
    const action = attrs(parseTwiml(first.body).verbs[0]!).action!;
    const res = await signedPost(t.app, action, { CallSid: callSid, Digits: '1' }, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
    expect(res.statusCode).toBe(403);
    expect(await t.consentLog.list({ callSid })).toHaveLength(0);
  });

  it('a missing signature gets 403', async () => {
    const res = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid() }, { signature: null });
    expect(res.statusCode).toBe(403);
  });

  it('a signature made for another URL (tampered state in the query) gets 403', async () => {
    const callSid = newCallSid();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: callSid });
    const action = attrs(parseTwiml(first.body).verbs[0]!).action!;
    const { getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks.js');
    const signature = getExpectedTwilioSignature('test-auth-token-0123456789abcdef', action, { CallSid: callSid, Digits: '1' });
    const tampered = action.replace('r=0', 'r=2');
    const res = await signedPost(t.app, tampered, { CallSid: callSid, Digits: '1' }, { signature });
    expect(res.statusCode).toBe(403);
  });

  it('a forged JSON body or an oversized body is never answered with TwiML', async () => {
    const json = await t.app.inject({
      method: 'POST',
      url: '/voice/incoming',
      headers: { 'content-type': 'application/json', 'x-twilio-signature': 'bad' },
      payload: '{not json',
    });
    expect(json.statusCode).toBe(403);
    const big = await t.app.inject({
      method: 'POST',
      url: '/voice/incoming',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bad' },
      payload: `CallSid=CA1&Junk=${'x'.repeat(70_000)}`,
    });
    expect(big.statusCode).toBe(413);
    expect(big.body).not.toContain('<Response');
  });

  it('every voice route checks the signature', async () => {
    for (const path of ['/voice/incoming', '/voice/menu', '/voice/fallback', '/voice/status', '/voice/queue/wait', '/voice/queue/done']) {
      const res = await signedPost(t.app, path, { CallSid: newCallSid() }, { signature: 'bad' });
      expect(res.statusCode, path).toBe(403);
    }
  });
});

describe('fallback and errors', () => {
  it('/voice/fallback answers an apology and the general queue', async () => {
    const res = await signedPost(t.app, '/voice/fallback', { CallSid: newCallSid(), ErrorCode: '11200' });
    expect(res.statusCode).toBe(200);
    const verbs = parseTwiml(res.body).verbs;
    expect(verbs.map(verbName)).toEqual(['Say', 'Enqueue']);
    expect(JSON.stringify(verbs[1])).toContain('ozp-general');
  });

  it('a body without CallSid still gets TwiML that reaches a person', async () => {
    const res = await signedPost(t.app, '/voice/incoming', { Foo: 'bar' });
    expect(res.statusCode).toBe(200);
    expect(parseTwiml(res.body).verbs.map(verbName)).toEqual(['Say', 'Enqueue']);
  });
});
