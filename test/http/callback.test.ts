// Callback instead of waiting (issue 14), end to end through signed webhooks: the offer on
// hold, the dialogue, the durable request, the dispatcher calling a fake Twilio REST API over
// real HTTP, the outbound call's webhooks, retries, closed hours and a holiday (moved clock).
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallbackDispatcher } from '../../src/integrations/callback-dispatcher.js';
import { journeyReport } from '../../src/report/report.js';
import { TwilioCallPlacer } from '../../src/integrations/twilio-calls.js';
import { attrs, childrenOf, parseTwiml, textOf, verbName, type TwimlNode } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../support/fake-twilio-api.js';
import { newCallSid, TEST_BASE, TEST_TOKEN } from '../support/twilio.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

// Callbacks are part of the shipped config: its frozen copy is the fixture.
const FIXTURE = FROZEN_CONFIG;
const ACCOUNT = `AC${'0'.repeat(32)}`;
const WED_OPEN = '2026-11-25T09:00:00Z'; // 10:00 in Prague
const WED_EVENING = '2026-11-25T16:30:00Z'; // 17:30, closed until tomorrow 8:00
const THU_MORNING = '2026-11-26T07:00:00Z'; // 08:00
const CHRISTMAS_EVE = '2026-12-24T09:00:00Z'; // a public holiday (Thursday)
const LINE = '+420261105555';

let api: FakeTwilioApi;
let t: TestApp;
let clock = Date.parse(WED_OPEN);
let dispatcher: CallbackDispatcher;

const setClock = (iso: string) => {
  clock = Date.parse(iso);
  t.setNow(clock);
};

beforeAll(async () => {
  api = await startFakeTwilioApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(async () => {
  t = await buildTestApp({ configDir: FIXTURE, now: WED_OPEN, callbacks: true });
  clock = Date.parse(WED_OPEN);
  api.requests.length = 0;
  api.failWith(undefined);
  dispatcher = new CallbackDispatcher({
    store: t.callbacks!,
    registry: t.registry,
    switches: t.switches,
    placer: new TwilioCallPlacer({ accountSid: ACCOUNT, authToken: 'rest-token', apiUrl: api.url }),
    publicUrl: TEST_BASE,
    now: () => clock,
    metrics: t.metrics,
  });
});
afterEach(async () => {
  await dispatcher.stop();
  await t.close();
});

interface Answer {
  verbs: TwimlNode[];
  body: string;
}

/** A signed Twilio POST, optionally with Twilio's idempotency header (a retried webhook). */
async function post(url: string, params: Record<string, string>, idempotencyToken?: string): Promise<Answer> {
  const u = new URL(url);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': getExpectedTwilioSignature(TEST_TOKEN, url, params),
  };
  if (idempotencyToken) headers['i-twilio-idempotency-token'] = idempotencyToken;
  const res = await t.app.inject({ method: 'POST', url: u.pathname + u.search, headers, payload: new URLSearchParams(params).toString() });
  expect(res.statusCode).toBe(200);
  return { verbs: parseTwiml(res.body).verbs, body: res.body };
}

const flat = (verbs: TwimlNode[]): TwimlNode[] => verbs.flatMap((v) => (verbName(v) === 'Gather' ? [v, ...childrenOf(v)] : [v]));
const says = (a: Answer) =>
  flat(a.verbs)
    .filter((v) => verbName(v) === 'Say')
    .map(textOf);
const names = (a: Answer) => a.verbs.map((v) => verbName(v));
const gather = (a: Answer) => {
  const g = a.verbs.find((v) => verbName(v) === 'Gather');
  if (!g) throw new Error(`no Gather in ${a.body}`);
  return attrs(g);
};
const redirectOf = (a: Answer) => textOf(a.verbs.find((v) => verbName(v) === 'Redirect') ?? {});

/** A caller on hold in the insurance queue: their call's params and waitUrl. */
async function onHold(from = '+420603123456') {
  const callSid = newCallSid();
  const played = await t.call('1', { from, callSid });
  if (played.end.kind !== 'queue' || !played.end.waitUrl || !played.end.action) throw new Error('expected a queue');
  const params = { CallSid: callSid, From: from, To: LINE, AccountSid: ACCOUNT };
  return { callSid, params, waitUrl: played.end.waitUrl, doneUrl: played.end.action };
}

/** On hold, past offerAfterSeconds, presses 2. */
async function askForCallback(from?: string) {
  const call = await onHold(from);
  const offer = await post(call.waitUrl, { ...call.params, QueueTime: '130', QueuePosition: '4' });
  const choice = await post(gather(offer).action!, { ...call.params, Digits: '2', QueueTime: '131' });
  return { ...call, offer, choice };
}

async function confirmOwnNumber(from?: string) {
  const call = await askForCallback(from);
  const confirmed = await post(gather(call.choice).action!, { ...call.params, Digits: '1' });
  return { ...call, confirmed };
}

describe('the offer on hold', () => {
  it('comes once QueueTime reaches offerAfterSeconds, as one Gather with 1–4', async () => {
    const call = await onHold();
    const early = await post(call.waitUrl, { ...call.params, QueueTime: '30', QueuePosition: '2' });
    expect(early.verbs.some((v) => verbName(v) === 'Gather')).toBe(false);
    const offer = await post(call.waitUrl, { ...call.params, QueueTime: '120', QueuePosition: '2' });
    const g = gather(offer);
    expect(g.numDigits).toBe('1');
    expect(new URL(g.action!).pathname).toBe('/voice/callback/offer');
    const text = says(offer).join(' ');
    for (const word of ['jedničku', 'dvojku', 'trojku', 'čtyřku', 'zavolali zpět']) expect(text).toContain(word);
    // No key: back to waiting (the caller keeps their place).
    expect(new URL(redirectOf(offer)).pathname).toBe('/voice/queue/wait');
  });

  it('1 keeps waiting, 3 leaves a message, 4 says where else to turn', async () => {
    const call = await onHold();
    const offer = await post(call.waitUrl, { ...call.params, QueueTime: '150' });
    const one = await post(gather(offer).action!, { ...call.params, Digits: '1' });
    expect(names(one)).toEqual(['Redirect']);
    const three = await post(gather(offer).action!, { ...call.params, Digits: '3' });
    expect(names(three)).toEqual(['Leave']);
    const four = await post(gather(offer).action!, { ...call.params, Digits: '4' });
    expect(says(four).join(' ')).toContain('elektronickou podatelnu');
    expect(names(four).at(-1)).toBe('Redirect');
    // A message <Leave> still records a message (no callback was asked for).
    const done = await post(call.doneUrl, { ...call.params, QueueResult: 'leave' });
    expect(names(done)).toContain('Record');
  });
});

describe('the caller asks for a callback', () => {
  it('2 → confirms the number ending 4 5 6; 1 → stored before the answer, thanks, <Leave/>, then goodbye and <Hangup/>', async () => {
    const call = await askForCallback();
    expect(says(call.choice)).toEqual(['Zavoláme vám na číslo končící 4 5 6. Pro potvrzení stiskněte jedničku, pro jiné číslo dvojku.']);
    expect(gather(call.choice).numDigits).toBe('1');
    const confirmed = await post(gather(call.choice).action!, { ...call.params, Digits: '1' });
    expect(says(confirmed)).toEqual(['Děkujeme, zavoláme vám, jakmile bude operátor volný.']);
    expect(names(confirmed)).toEqual(['Say', 'Leave']);
    expect(await t.metrics.registry.metrics()).toContain('infoline_callbacks_pending{queue="insurance"} 1');
    const stored = await t.callbacks!.list();
    expect(stored).toMatchObject([
      { status: 'pending', number: '+420603123456', from: LINE, queue: 'insurance', attempts: 0, originCallSid: call.callSid },
    ]);
    const done = await post(call.doneUrl, { ...call.params, QueueResult: 'leave', QueueTime: '140' });
    expect(names(done)).toEqual(['Say', 'Hangup']);
    expect(says(done)).toEqual(['Na shledanou.']);
    // The report counts it as the queue's callback (and not as a caller who gave up).
    const report = journeyReport(await t.journal.callEvents(call.callSid), { from: '2026-11-25T00:00:00Z', to: '2026-11-26T00:00:00Z' });
    expect(report.queues.insurance).toMatchObject({ entered: 1, callbacks: 1, abandoned: 0, answered: 0 });
  });

  it('another number: typed with #, read back in groups, confirmed; never in a URL', async () => {
    const call = await askForCallback();
    const enter = await post(gather(call.choice).action!, { ...call.params, Digits: '2' });
    expect(gather(enter).finishOnKey).toBe('#');
    const readBack = await post(gather(enter).action!, { ...call.params, Digits: '00420777123456' });
    expect(says(readBack)).toEqual(['Zadali jste číslo 7 7 7, 1 2 3, 4 5 6. Pro potvrzení stiskněte jedničku, pro opravu dvojku.']);
    expect(readBack.body).not.toContain('777123456');
    const confirmed = await post(gather(readBack).action!, { ...call.params, Digits: '1' });
    expect(names(confirmed)).toEqual(['Say', 'Leave']);
    expect(await t.callbacks!.list()).toMatchObject([{ number: '+420777123456', status: 'pending' }]);
  });

  it('a withheld number goes straight to entering one', async () => {
    for (const from of ['+266696687', 'anonymous', '']) {
      const call = await askForCallback(from);
      expect(gather(call.choice).finishOnKey).toBe('#');
      expect(says(call.choice).join(' ')).toContain('mřížku');
    }
  });

  it('an invalid number is asked again, at most three tries, then the caller keeps their place', async () => {
    const call = await askForCallback('+266696687');
    let answer = call.choice;
    for (const digits of ['12345', '123456789']) {
      answer = await post(gather(answer).action!, { ...call.params, Digits: digits });
      expect(says(answer)[0]).toContain('Toto číslo neznáme');
    }
    answer = await post(gather(answer).action!, { ...call.params, Digits: '' });
    expect(names(answer)).toEqual(['Say', 'Redirect']);
    expect(says(answer)).toEqual(['Zůstáváte ve frontě, vaše pořadí se nemění.']);
    expect(new URL(redirectOf(answer)).pathname).toBe('/voice/queue/wait');
    expect(await t.callbacks!.list()).toEqual([]);
  });

  it('a retried webhook (same I-Twilio-Idempotency-Token) makes one request; a second call for the same number is acknowledged, not doubled', async () => {
    const call = await askForCallback();
    const action = gather(call.choice).action!;
    const first = await post(action, { ...call.params, Digits: '1' }, 'idem-1');
    const retried = await post(action, { ...call.params, Digits: '1' }, 'idem-1');
    expect(says(retried)).toEqual(says(first));
    expect(await t.callbacks!.list()).toHaveLength(1);
    const again = await confirmOwnNumber();
    expect(says(again.confirmed)).toEqual(['Vaši žádost o zpětné zavolání na toto číslo už evidujeme. Zavoláme vám.']);
    expect(names(again.confirmed)).toEqual(['Say', 'Leave']);
    expect(await t.callbacks!.list()).toHaveLength(1);
    const done = await post(again.doneUrl, { ...again.params, QueueResult: 'leave' });
    expect(names(done)).toEqual(['Say', 'Hangup']);
  });
});

describe('the dispatcher and the callback call', () => {
  it('places the request through the REST API (form, auth) and connects the person who presses 1, with a granted consent', async () => {
    await confirmOwnNumber();
    expect(await dispatcher.tick()).toEqual({ placed: 1, failed: 0 });
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Calls.json`);
    expect(req!.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:rest-token`).toString('base64')}`);
    expect(req!.form).toMatchObject({ To: '+420603123456', From: LINE, MachineDetection: 'Enable' });
    expect(req!.form.Url!.startsWith(`${TEST_BASE}/voice/callback/answer?`)).toBe(true);
    expect(req!.form.StatusCallback!.startsWith(`${TEST_BASE}/voice/callback/status?`)).toBe(true);
    expect(req!.form.Url).not.toContain('603123456');
    // Nothing more while it is in progress.
    expect(await dispatcher.tick()).toEqual({ placed: 0, failed: 0 });

    const out = { CallSid: req!.sid!, From: LINE, To: '+420603123456', AccountSid: ACCOUNT, Direction: 'outbound-api' };
    const greeting = await post(req!.form.Url!, { ...out, AnsweredBy: 'human' });
    expect(says(greeting)[0]).toBe('Dobrý den, tady Telefonní informační centrum OZP, voláme vám zpět, jak jste si přáli.');
    expect(says(greeting).join(' ')).toContain('nahráván');
    const connected = await post(gather(greeting).action!, { ...out, Digits: '1' });
    const enqueue = connected.verbs.find((v) => verbName(v) === 'Enqueue');
    expect(textOf(enqueue!)).toBe('ozp-insurance');
    const metrics = await t.metrics.registry.metrics();
    for (const result of ['requested', 'placed', 'connected']) expect(metrics).toContain(`infoline_callbacks_total{result="${result}"} 1`);
    expect(metrics).toContain('infoline_callbacks_pending{queue="insurance"} 0');
    const consents = await t.consentLog.list({ callSid: req!.sid! });
    expect(consents).toMatchObject([{ decision: 'granted', route: 'insurance', caller: '+420603***456', noticeId: 'callback.notice' }]);
    expect(consents[0]!.noticeSha256).toMatch(/^[0-9a-f]{64}$/);
    const [done] = await t.callbacks!.list();
    expect(done).toMatchObject({ status: 'done', number: '+420603***456', attempts: 1 });
    // The final status callback changes nothing.
    await post(req!.form.StatusCallback!, { ...out, CallStatus: 'completed' });
    expect((await t.callbacks!.list())[0]!.status).toBe('done');
  });

  it('voicemail → a short message and a retry after retryMinutes; no answer and busy → retried up to maxAttempts, then failed', async () => {
    await confirmOwnNumber();
    await dispatcher.tick();
    const first = api.requests[0]!;
    const machine = await post(first.form.Url!, { CallSid: first.sid!, AnsweredBy: 'machine_end_beep', To: '+420603123456', From: LINE });
    expect(names(machine)).toEqual(['Say', 'Hangup']);
    expect(says(machine)[0]).toContain('zkusíme to znovu později');
    expect((await t.callbacks!.list())[0]).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-11-25T09:30:00.000Z' });
    // Its later status callback does not count twice.
    await post(first.form.StatusCallback!, { CallSid: first.sid!, CallStatus: 'completed' });
    expect((await t.callbacks!.list())[0]).toMatchObject({ status: 'pending', attempts: 1 });

    setClock('2026-11-25T09:29:00Z');
    expect((await dispatcher.tick()).placed).toBe(0);
    setClock('2026-11-25T09:30:00Z');
    expect((await dispatcher.tick()).placed).toBe(1);
    await post(api.requests[1]!.form.StatusCallback!, { CallSid: api.requests[1]!.sid!, CallStatus: 'no-answer' });
    setClock('2026-11-25T10:00:00Z');
    expect((await dispatcher.tick()).placed).toBe(1);
    await post(api.requests[2]!.form.StatusCallback!, { CallSid: api.requests[2]!.sid!, CallStatus: 'busy' });
    expect((await t.callbacks!.list())[0]).toMatchObject({ status: 'failed', attempts: 3, number: '+420603***456' });
    setClock('2026-11-25T12:00:00Z');
    expect((await dispatcher.tick()).placed).toBe(0);
    expect(api.requests).toHaveLength(3);
  });

  it('no key from the person → asked once more, then a message and a retry', async () => {
    await confirmOwnNumber();
    await dispatcher.tick();
    const r = api.requests[0]!;
    const out = { CallSid: r.sid!, AnsweredBy: 'human' };
    const greeting = await post(r.form.Url!, out);
    const again = await post(redirectOf(greeting), out);
    expect(says(again)).toEqual(['Pro spojení s operátorem stiskněte jedničku.']);
    const end = await post(redirectOf(again), out);
    expect(names(end)).toEqual(['Say', 'Hangup']);
    expect((await t.callbacks!.list())[0]).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('a REST API error counts as an attempt and is retried later', async () => {
    await confirmOwnNumber();
    api.failWith(500);
    expect(await dispatcher.tick()).toEqual({ placed: 0, failed: 1 });
    expect((await t.callbacks!.list())[0]).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-11-25T09:30:00.000Z' });
    // Twilio's error text may quote the number: what we log holds it masked.
    api.failWith(400, "The 'To' number +420603123456 is not a valid phone number.");
    const placer = new TwilioCallPlacer({ accountSid: ACCOUNT, authToken: 'rest-token', apiUrl: api.url });
    const refused = placer.place({ to: '+420603123456', from: LINE, url: `${TEST_BASE}/x`, statusCallback: `${TEST_BASE}/y` });
    await expect(refused).rejects.toThrow(/HTTP 400 \(code 20500: The 'To' number \+420603\*\*\*456 is not/);
  });

  it('a cancelled request is never placed', async () => {
    await confirmOwnNumber();
    const [r] = await t.callbacks!.list();
    expect(await t.callbacks!.cancel(r!.id)).toBe(true);
    expect(await dispatcher.tick()).toEqual({ placed: 0, failed: 0 });
    expect(api.requests).toHaveLength(0);
    expect((await t.callbacks!.list())[0]).toMatchObject({ status: 'cancelled', number: '+420603***456' });
  });

  it('closed hours: the caller hears the next opening; placed only once the schedule opens', async () => {
    setClock(WED_EVENING);
    const { confirmed } = await confirmOwnNumber();
    expect(says(confirmed)).toEqual(['Děkujeme, zavoláme vám, jakmile budeme mít otevřeno, nejdříve zítra v 8:00.']);
    expect((await dispatcher.tick()).placed).toBe(0);
    setClock('2026-11-26T06:59:00Z');
    expect((await dispatcher.tick()).placed).toBe(0);
    setClock(THU_MORNING);
    expect((await dispatcher.tick()).placed).toBe(1);
  });

  it('a public holiday and an emergency closure: nothing is placed', async () => {
    setClock(CHRISTMAS_EVE);
    const { confirmed } = await confirmOwnNumber();
    expect(says(confirmed)[0]).toContain('nejdříve v pondělí v 8:00');
    expect((await dispatcher.tick()).placed).toBe(0);
    setClock('2026-12-28T09:00:00Z');
    await t.switches.setClosure({
      schedule: 'callbacks',
      until: '2026-12-28T10:00:00.000Z',
      reason: 'výpadek',
      since: '2026-12-28T08:00:00.000Z',
    });
    expect((await dispatcher.tick()).placed).toBe(0);
    setClock('2026-12-28T10:00:00Z');
    expect((await dispatcher.tick()).placed).toBe(1);
  });
});
