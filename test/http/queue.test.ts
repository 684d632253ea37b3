// While the caller waits (<Enqueue waitUrl>) and after the queue or dial ends (<Enqueue action>,
// <Dial action>), through signed requests to the URLs our own TwiML hands to Twilio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrs, childrenOf, parseTwiml, textOf, verbName, type TwimlNode } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost, TEST_BASE } from '../support/twilio.js';

const WED_OPEN = '2026-11-25T09:00:00Z';
/** Verbs Twilio accepts in a waitUrl document (and inside its Gather). */
const WAIT_VERBS = new Set(['Play', 'Say', 'Pause', 'Hangup', 'Redirect', 'Leave', 'Gather']);

let t: TestApp;
let csWait: string;
let csDone: string;
let enWait: string;
let generalDone: string;

beforeAll(async () => {
  t = await buildTestApp({ now: WED_OPEN });
  const cs = await t.call('1');
  if (cs.end.kind !== 'queue') throw new Error('expected a queue');
  csWait = cs.end.waitUrl!;
  csDone = cs.end.action!;
  const en = await t.call('91');
  if (en.end.kind !== 'queue') throw new Error('expected a queue');
  enWait = en.end.waitUrl!;
  const general = await t.call('');
  if (general.end.kind !== 'queue') throw new Error('expected a queue');
  generalDone = general.end.action!;
});
afterAll(async () => {
  await t.close();
});

async function post(url: string, params: Record<string, string>) {
  const res = await signedPost(t.app, url, { CallSid: newCallSid(), ...params });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/xml/);
  const { verbs, root } = parseTwiml(res.body);
  expect(root).toBe('Response');
  return verbs;
}

function says(verbs: TwimlNode[]): string[] {
  return verbs.flatMap((v) => (verbName(v) === 'Say' ? [textOf(v)] : verbName(v) === 'Gather' ? says(childrenOf(v)) : []));
}

function onlyWaitVerbs(verbs: TwimlNode[]): void {
  for (const v of verbs) {
    expect(WAIT_VERBS.has(verbName(v) ?? ''), verbName(v)).toBe(true);
    if (verbName(v) === 'Gather') onlyWaitVerbs(childrenOf(v));
  }
}

function urlOf(verb: TwimlNode | undefined): URL {
  if (!verb) throw new Error('no verb');
  return new URL(verbName(verb) === 'Redirect' ? textOf(verb) : (attrs(verb).action ?? ''));
}

describe('while the caller waits', () => {
  const czech: [string, string][] = [
    ['1', 'Jste první v pořadí.'],
    ['2', 'Před vámi je 1 volající.'],
    ['3', 'Před vámi jsou 2 volající.'],
    ['5', 'Před vámi jsou 4 volající.'],
    ['6', 'Před vámi je 5 volajících.'],
    ['23', 'Před vámi je 22 volajících.'],
  ];
  it.each(czech)('QueuePosition=%s → "%s"', async (position, sentence) => {
    const verbs = await post(csWait, { QueuePosition: position, QueueTime: '30', AvgQueueTime: '100', CurrentQueueSize: '10' });
    expect(says(verbs)[0]).toBe(sentence);
    onlyWaitVerbs(verbs);
  });

  const english: [string, string][] = [
    ['1', 'You are first in line.'],
    ['2', 'There is 1 caller ahead of you.'],
    ['6', 'There are 5 callers ahead of you.'],
  ];
  it.each(english)('English QueuePosition=%s → "%s"', async (position, sentence) => {
    const verbs = await post(enWait, { QueuePosition: position, QueueTime: '30', AvgQueueTime: '100', CurrentQueueSize: '10' });
    expect(says(verbs)[0]).toBe(sentence);
    expect(verbs.filter((v) => verbName(v) === 'Say').every((v) => attrs(v).language === 'en-GB')).toBe(true);
  });

  const waits: [string, string][] = [
    ['20', 'Brzy budete spojeni.'],
    ['60', 'Průměrná doba čekání je přibližně 1 minuta.'],
    ['180', 'Průměrná doba čekání je přibližně 3 minuty.'],
    ['300', 'Průměrná doba čekání je přibližně 5 minut.'],
  ];
  it.each(waits)('AvgQueueTime=%s s → "%s"', async (avg, sentence) => {
    const verbs = await post(csWait, { QueuePosition: '3', QueueTime: '30', AvgQueueTime: avg, CurrentQueueSize: '10' });
    expect(says(verbs)[1]).toBe(sentence);
  });

  it('a hold cycle: announcements, a tip, a pause, then a Redirect to the waitUrl on our host', async () => {
    const verbs = await post(csWait, { QueuePosition: '3', QueueTime: '30', AvgQueueTime: '100', CurrentQueueSize: '10' });
    expect(verbs.map(verbName)).toEqual(['Say', 'Say', 'Say', 'Pause', 'Redirect']);
    const next = urlOf(verbs.at(-1));
    expect(next.host).toBe(new URL(TEST_BASE).host);
    expect(next.pathname).toBe('/voice/queue/wait');
  });

  it('tips rotate from one cycle to the next (the Redirect carries the cycle)', async () => {
    const params = { QueuePosition: '3', QueueTime: '30', AvgQueueTime: '100', CurrentQueueSize: '10' };
    const tips: string[] = [];
    let url = csWait;
    for (let i = 0; i < 3; i++) {
      const verbs = await post(url, params);
      tips.push(says(verbs)[2]!);
      url = urlOf(verbs.at(-1)).toString();
    }
    expect(new Set(tips).size).toBe(3);
    expect(tips[0]).toContain('klientském portálu');
  });

  it('past maxWaitSeconds: a Gather offers 1 keep waiting / 2 message / 3 where else', async () => {
    const verbs = await post(csWait, { QueuePosition: '4', QueueTime: '600', AvgQueueTime: '500', CurrentQueueSize: '10' });
    onlyWaitVerbs(verbs);
    expect(verbs.map(verbName)).toEqual(['Gather', 'Pause', 'Redirect']);
    expect(attrs(verbs[0]!).numDigits).toBe('1');
    expect(urlOf(verbs[0]).pathname).toBe('/voice/queue/choice');
    expect(says(verbs).join(' ')).toContain('stiskněte dvojku');
    // Ignoring the offer: the next cycle (same QueueTime region) does not ask again.
    const next = await post(urlOf(verbs.at(-1)).toString(), {
      QueuePosition: '4',
      QueueTime: '640',
      AvgQueueTime: '500',
      CurrentQueueSize: '10',
    });
    expect(next.map(verbName)).not.toContain('Gather');
  });

  it('a queue longer than maxSize offers the choice at once', async () => {
    const verbs = await post(csWait, { QueuePosition: '60', QueueTime: '5', AvgQueueTime: '500', CurrentQueueSize: '51' });
    expect(verbName(verbs[0]!)).toBe('Gather');
    const within = await post(csWait, { QueuePosition: '50', QueueTime: '5', AvgQueueTime: '500', CurrentQueueSize: '50' });
    expect(verbName(within[0]!)).toBe('Say');
  });

  describe('answers to the offer', () => {
    let choice: string;
    beforeAll(async () => {
      const verbs = await post(csWait, { QueuePosition: '4', QueueTime: '700', CurrentQueueSize: '10' });
      choice = urlOf(verbs[0]).toString();
    });

    it('2 leaves the queue (the Enqueue action then takes a message)', async () => {
      const verbs = await post(choice, { Digits: '2' });
      expect(verbs.map(verbName)).toEqual(['Leave']);
    });

    it('1 keeps waiting, and the offer stays quiet for another maxWaitSeconds', async () => {
      const verbs = await post(choice, { Digits: '1' });
      onlyWaitVerbs(verbs);
      expect(verbs.map(verbName)).toEqual(['Redirect']);
      const wait = urlOf(verbs[0]);
      expect(wait.pathname).toBe('/voice/queue/wait');
      const quiet = await post(wait.toString(), { QueuePosition: '4', QueueTime: '900', CurrentQueueSize: '10' });
      expect(quiet.map(verbName)).not.toContain('Gather');
      const again = await post(wait.toString(), { QueuePosition: '4', QueueTime: '1300', CurrentQueueSize: '10' });
      expect(verbName(again[0]!)).toBe('Gather');
    });

    it('3 says where else to turn, then keeps waiting', async () => {
      const verbs = await post(choice, { Digits: '3' });
      onlyWaitVerbs(verbs);
      expect(verbs.map(verbName)).toEqual(['Say', 'Redirect']);
      expect(says(verbs)[0]).toContain('elektronickou podatelnu');
      expect(says(verbs)[0]).not.toContain('nesouhlasíte');
    });
  });
});

describe('after the queue or the dial', () => {
  const goodbye = ['bridged', 'bridging-in-process'];
  it.each(goodbye)('QueueResult=%s (talked to a person) → goodbye and Hangup', async (result) => {
    const verbs = await post(csDone, { QueueResult: result, QueueTime: '120' });
    expect(verbs.map(verbName)).toEqual(['Say', 'Hangup']);
  });

  it('QueueResult=hangup (the caller is gone) → Hangup', async () => {
    expect((await post(csDone, { QueueResult: 'hangup' })).map(verbName)).toEqual(['Hangup']);
  });

  it('QueueResult=redirected (moved by the REST API) → nothing to add', async () => {
    expect(await post(csDone, { QueueResult: 'redirected' })).toEqual([]);
  });

  it('QueueResult=leave → the message prompt, a Record posting to /voice/queue/message, then goodbye', async () => {
    const verbs = await post(csDone, { QueueResult: 'leave' });
    expect(verbs.map(verbName)).toEqual(['Say', 'Record', 'Say', 'Hangup']);
    expect(says(verbs)[0]).toContain('zanechte vzkaz');
    const record = attrs(verbs[1]!);
    expect(new URL(record.action!).pathname).toBe('/voice/queue/message');
    expect(new URL(record.action!).host).toBe(new URL(TEST_BASE).host);
    expect(Number(record.maxLength)).toBeGreaterThan(0);
  });

  const toGeneral: [string, string, string][] = [
    ['QueueResult', 'queue-full', 'spojení s operátorem se nepodařilo'],
    ['QueueResult', 'error', 'technické chybě'],
    ['QueueResult', 'system-error', 'technické chybě'],
    ['DialCallStatus', 'busy', 'spojení s operátorem se nepodařilo'],
    ['DialCallStatus', 'no-answer', 'spojení s operátorem se nepodařilo'],
    ['DialCallStatus', 'failed', 'spojení s operátorem se nepodařilo'],
  ];
  it.each(toGeneral)('%s=%s on a topic line → apology, then the general queue once', async (field, value, apology) => {
    const verbs = await post(csDone, { [field]: value });
    expect(verbs.map(verbName).at(-1)).toBe('Enqueue');
    expect(says(verbs).join(' ')).toContain(apology);
    const enqueue = verbs.at(-1)!;
    expect(textOf(enqueue)).toBe('ozp-general');
    const action = new URL(attrs(enqueue).action!);
    expect(action.searchParams.get('route')).toBe('general');
    expect(new URL(attrs(enqueue).waitUrl!).host).toBe(new URL(TEST_BASE).host);
  });

  it.each([['queue-full'], ['error'], ['system-error']])('QueueResult=%s on the general line → a message, not a loop', async (value) => {
    const verbs = await post(generalDone, { QueueResult: value });
    expect(verbs.map(verbName)).toEqual(['Say', 'Say', 'Record', 'Say', 'Hangup']);
  });

  it('no QueueResult at all is treated as an error: the general queue', async () => {
    const verbs = await post(csDone, {});
    expect(verbs.map(verbName).at(-1)).toBe('Enqueue');
  });

  it.each([['completed'], ['answered']])('DialCallStatus=%s → goodbye and Hangup', async (status) => {
    expect((await post(csDone, { DialCallStatus: status })).map(verbName)).toEqual(['Say', 'Hangup']);
  });

  it('DialCallStatus=canceled → Hangup', async () => {
    expect((await post(csDone, { DialCallStatus: 'canceled' })).map(verbName)).toEqual(['Hangup']);
  });

  it('/voice/queue/message thanks the caller and hangs up', async () => {
    const leave = await post(csDone, { QueueResult: 'leave' });
    const verbs = await post(attrs(leave[1]!).action!, {
      RecordingSid: 'RE0123',
      RecordingDuration: '12',
      RecordingUrl: 'https://api.twilio.com/x',
    });
    expect(verbs.map(verbName)).toEqual(['Say', 'Hangup']);
    expect(says(verbs)[0]).toContain('vzkaz jsme přijali');
  });
});
