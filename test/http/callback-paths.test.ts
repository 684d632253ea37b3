// No dead end in the hold dialogue: from the callback offer, every key (or none) on every
// reachable step leads back to the queue (a Redirect to the waitUrl, the caller keeps their
// place), to a <Leave> (message or a stored callback), or to another question that itself
// falls back to the queue on silence. Explored exhaustively; the number of steps is finite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrs, childrenOf, parseTwiml, textOf, verbName, type TwimlNode } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

// Callbacks are part of the shipped config: its frozen copy is the fixture.
const FIXTURE = FROZEN_CONFIG;
const WAIT_VERBS = new Set(['Play', 'Say', 'Pause', 'Hangup', 'Redirect', 'Leave', 'Gather']);
const INPUTS = ['1', '2', '3', '4', '9', '*', '#', '', '12345', '603123456', '00420777123456'];

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ configDir: FIXTURE, callbacks: true });
});
afterAll(async () => {
  await t.close();
});

const stateKey = (url: string) => {
  const u = new URL(url);
  u.searchParams.delete('t');
  return `${u.pathname}?${[...u.searchParams]
    .sort()
    .map(([k, v]) => `${k}=${v}`)
    .join('&')}`;
};

describe.each([
  ['the caller number is known', '+420603123456'],
  ['the number is withheld', '+266696687'],
])('hold dialogue when %s', (_name, from) => {
  it('every path returns to the queue or leaves it on purpose; no hang-up, finitely many steps', async () => {
    const callSid = newCallSid();
    const params = { CallSid: callSid, From: from, To: '+420261105555' };
    const played = await t.call('1', { from, callSid });
    if (played.end.kind !== 'queue') throw new Error('expected a queue');
    const offer = parseTwiml((await signedPost(t.app, played.end.waitUrl!, { ...params, QueueTime: '200' })).body).verbs;
    const start = attrs(offer.find((v) => verbName(v) === 'Gather')!).action!;

    const seen = new Set<string>();
    const todo = [start];
    let leaves = 0;
    let answers = 0;
    while (todo.length > 0) {
      const url = todo.shift()!;
      if (seen.has(stateKey(url))) continue;
      seen.add(stateKey(url));
      expect(seen.size, 'the dialogue must have finitely many steps').toBeLessThan(40);
      for (const digits of INPUTS) {
        // Each input on a fresh call, so a stored request does not shortcut later paths.
        const sid = newCallSid();
        const res = await signedPost(t.app, url, { ...params, CallSid: sid, Digits: digits });
        answers++;
        expect(res.statusCode).toBe(200);
        const verbs = parseTwiml(res.body).verbs;
        const all: TwimlNode[] = verbs.flatMap((v) => (verbName(v) === 'Gather' ? [v, ...childrenOf(v)] : [v]));
        for (const v of all) expect(WAIT_VERBS.has(verbName(v) ?? ''), `${verbName(v)} in ${res.body}`).toBe(true);
        expect(
          all.some((v) => verbName(v) === 'Hangup'),
          res.body,
        ).toBe(false);
        const last = verbs.at(-1)!;
        const gather = verbs.find((v) => verbName(v) === 'Gather');
        if (verbName(last) === 'Leave') {
          leaves++;
          continue;
        }
        // Otherwise the document ends by going back to the queue (also after an unanswered Gather).
        expect(verbName(last), res.body).toBe('Redirect');
        expect(new URL(textOf(last)).pathname).toBe('/voice/queue/wait');
        if (gather) todo.push(attrs(gather).action!);
      }
    }
    expect(leaves).toBeGreaterThan(0);
    expect(answers).toBeGreaterThan(INPUTS.length * 3);
  });
});
