// Caller identification on a topic with `identify: true`, played through the real webhooks
// (signed requests, parsed TwiML) on a frozen fixture config: insurance (TaskRouter workflow)
// and payments (plain queue) identify; the rest of the flow is the shipped one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attrs, childrenOf, parseTwiml, textOf, verbName, type PlayedCall } from '../../src/telephony/player.js';
import { checkTwiml } from '../reliability/twiml-rules.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { IDENTIFY_CONFIG, WORKFLOW_SID as WORKFLOW } from '../support/identify.js';
import { newCallSid, signedPost, TEST_BASE } from '../support/twilio.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ configDir: IDENTIFY_CONFIG, now: '2026-11-25T09:00:00Z' });
});
afterEach(async () => {
  await t.close();
});

/** Keys as the caller types them (spaces only separate the entries for reading); every answer must be valid TwiML. */
const play = async (keys: string) => {
  const call = await t.call(keys.replace(/\s/g, ''));
  for (const step of call.steps) expect(checkTwiml(step.twiml, { publicUrl: TEST_BASE }), step.request).toEqual([]);
  return call;
};
const heard = (call: PlayedCall) => call.steps.flatMap((s) => s.heard.map((h) => (h.kind === 'say' ? h.text : '')));
const lastVerbs = (call: PlayedCall) => parseTwiml(call.steps.at(-1)?.twiml ?? '').verbs;
/** The <Task> attributes of the final <Enqueue>. */
const task = (call: PlayedCall): unknown => {
  const enqueue = lastVerbs(call).find((v) => verbName(v) === 'Enqueue');
  const child = enqueue ? childrenOf(enqueue).find((c) => verbName(c) === 'Task') : undefined;
  return child ? JSON.parse(textOf(child)) : undefined;
};
const count = (texts: string[], part: string) => texts.filter((x) => x.includes(part)).length;

describe('the first question', () => {
  it('is a Gather ending with # (numDigits large) asking for the number in Czech, then a Redirect for silence', async () => {
    const callSid = newCallSid();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: callSid });
    const menuUrl = attrs(parseTwiml(first.body).verbs[0]!).action!;
    const res = await signedPost(t.app, menuUrl, { CallSid: callSid, Digits: '1' });
    const { verbs } = parseTwiml(res.body);
    expect(verbs.map(verbName)).toEqual(['Gather', 'Redirect']);
    const a = attrs(verbs[0]!);
    expect(a.finishOnKey).toBe('#');
    expect(Number(a.numDigits)).toBeGreaterThanOrEqual(11);
    expect(a.action!.startsWith(`${TEST_BASE}/voice/identify?`)).toBe(true);
    expect(childrenOf(verbs[0]!).map(textOf)).toEqual([
      'Zadejte prosím své rodné číslo nebo číslo pojištěnce a stiskněte mřížku. Pokud ho nemáte po ruce, stiskněte hvězdičku.',
    ]);
    // Consent and queue come after the dialogue.
    expect(await t.consentLog.list({ callSid })).toHaveLength(0);
  });
});

describe('the whole dialogue', () => {
  it('confirm: number, read back in pairs, 1, date of birth → two-identifiers in <Task>, consent, workflow queue', async () => {
    const call = await play('1 6808215469# 1 21081968#');
    const texts = heard(call);
    expect(texts).toContain('Zadali jste 68 08 21 54 69. Pokud je číslo správné, stiskněte jedničku. Pro nové zadání stiskněte dvojku.');
    expect(count(texts, 'datum narození')).toBe(1);
    expect(call.end).toMatchObject({ kind: 'queue', workflowSid: WORKFLOW });
    const enqueue = lastVerbs(call).find((v) => verbName(v) === 'Enqueue')!;
    expect(attrs(enqueue)).toMatchObject({ workflowSid: WORKFLOW, method: 'POST', waitUrlMethod: 'POST' });
    expect(attrs(enqueue).waitUrl).toContain('/voice/queue/wait?');
    expect(task(call)).toEqual({ insuredNumber: '6808215469', identity: 'two-identifiers' });
    const rows = await t.consentLog.list({ callSid: call.callSid });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ decision: 'granted', route: 'insurance' });
  });

  it('re-enter: 2 asks for the number again; the second one is used', async () => {
    const call = await play('1 6808215469# 2 280715152# 1 15071928#');
    const texts = heard(call);
    expect(count(texts, 'Zadejte prosím své rodné číslo')).toBe(2);
    expect(texts.some((x) => x.includes('Zadali jste 28 07 15 15 2.'))).toBe(true);
    expect(task(call)).toEqual({ insuredNumber: '280715152', identity: 'two-identifiers' });
  });

  it('skip: * goes on to the operator without a number', async () => {
    const call = await play('1*');
    expect(call.end).toMatchObject({ kind: 'queue', workflowSid: WORKFLOW });
    expect(task(call)).toEqual({ insuredNumber: null, identity: 'none' });
    expect(await t.consentLog.list({ callSid: call.callSid })).toHaveLength(1);
  });

  it('three bad numbers: said so, asked twice again, then the operator without it', async () => {
    const call = await play('1 123# 6808215468# 540101123#');
    const texts = heard(call);
    expect(count(texts, 'není platné')).toBe(3);
    expect(count(texts, 'Zadejte prosím své rodné číslo')).toBe(3);
    expect(texts).toContain('Budeme pokračovat bez ověření, operátor si Vaše údaje vyžádá.');
    expect(task(call)).toEqual({ insuredNumber: null, identity: 'none' });
    expect(call.end.kind).toBe('queue');
  });

  it('wrong date of birth three times: number-only', async () => {
    const call = await play('1 6808215469# 1 21081969# 01011970# 21581968#');
    const texts = heard(call);
    expect(count(texts, 'neodpovídá')).toBe(3);
    expect(task(call)).toEqual({ insuredNumber: '6808215469', identity: 'number-only' });
  });

  it('a wrong date then the right one: two-identifiers', async () => {
    const call = await play('1 6808215469# 1 21081969# 21081968#');
    expect(task(call)).toEqual({ insuredNumber: '6808215469', identity: 'two-identifiers' });
  });

  it('a number that encodes no date (5911755509): no date of birth asked, number-only', async () => {
    const call = await play('1 5911755509# 1');
    expect(count(heard(call), 'datum narození')).toBe(0);
    expect(task(call)).toEqual({ insuredNumber: '5911755509', identity: 'number-only' });
  });

  it('silence at every question still reaches a person (never a dead end)', async () => {
    const call = await play('1');
    expect(call.end).toMatchObject({ kind: 'queue', workflowSid: WORKFLOW });
    expect(count(heard(call), 'Nezaznamenali jsme žádné číslo')).toBe(3);
    expect(task(call)).toEqual({ insuredNumber: null, identity: 'none' });
  });

  it('a queue without workflowSid: plain <Enqueue> by name, no <Task>', async () => {
    const call = await play('3 6808215469# 1 21081968#');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-payments' });
    expect(task(call)).toBeUndefined();
    expect(lastVerbs(call).map(verbName)).toEqual(['Say', 'Say', 'Enqueue']);
  });

  it('topics without identify are unchanged', async () => {
    const call = await play('2');
    expect(call.steps).toHaveLength(2);
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-vitakarta' });
  });
});

describe('bad requests', () => {
  const identifyUrl = (extra = '') =>
    `/voice/identify?${new URLSearchParams({ v: t.registry.current!.version, route: 'insurance', l: 'cs' })}${extra}`;

  it('a forged signature is refused (403)', async () => {
    const res = await signedPost(t.app, identifyUrl(), { CallSid: newCallSid(), Digits: '6808215469' }, { signature: 'forged' });
    expect(res.statusCode).toBe(403);
  });

  it('a state sealed for another call goes on without identification (to a person)', async () => {
    const first = await signedPost(t.app, identifyUrl(), { CallSid: newCallSid(), Digits: '6808215469' });
    const action = attrs(parseTwiml(first.body).verbs[0]!).action!;
    expect(new URL(action).searchParams.get('s')).toMatch(/^[A-Za-z0-9_-]+$/);
    const res = await signedPost(t.app, action, { CallSid: newCallSid(), Digits: '1' });
    const verbs = parseTwiml(res.body).verbs;
    const enqueue = verbs.find((v) => verbName(v) === 'Enqueue')!;
    expect(JSON.parse(textOf(childrenOf(enqueue)[0]!))).toEqual({ insuredNumber: null, identity: 'none' });
  });

  it('an unknown route, or one without identify: the apology and the general queue', async () => {
    const v = t.registry.current!.version;
    for (const url of [
      `/voice/identify?v=${v}&route=nosuch&l=cs`,
      `/voice/identify?v=${v}&route=vitakarta&l=cs`,
      `/voice/identify?v=${v}&l=cs`,
    ]) {
      const res = await signedPost(t.app, url, { CallSid: newCallSid(), Digits: '1' });
      expect(res.statusCode).toBe(200);
      const verbs = parseTwiml(res.body).verbs;
      expect(verbs.map(verbName)).toEqual(['Say', 'Enqueue']);
    }
  });
});
