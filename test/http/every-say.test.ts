// Walks every kind of answer the service gives — menus in both languages, every key, `#`,
// silence, closed hours, exhausted retries, hold cycles, the overflow offer and its choices,
// every queue result, messages, the fallback, a malformed webhook — and checks that every
// <Say> names a language and a voice of that locale (Twilio's default voices speak no Czech).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrs, childrenOf, parseTwiml, verbName, type TwimlNode } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { fixtureConfig } from '../support/fixture-config.js';
import { newCallSid, signedPost } from '../support/twilio.js';

let t: TestApp;
let dir: string;
beforeAll(async () => {
  dir = fixtureConfig('config');
  t = await buildTestApp({ configDir: dir, now: '2026-11-25T09:00:00Z' });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every answer collected, by a label saying how it was reached. */
const answers = new Map<string, string>();

async function post(label: string, url: string, params: Record<string, string>): Promise<string> {
  const res = await signedPost(t.app, url, params);
  expect(res.statusCode, label).toBe(200);
  answers.set(label, res.body);
  return res.body;
}

function findAll(xml: string, name: string): TwimlNode[] {
  const out: TwimlNode[] = [];
  const visit = (nodes: TwimlNode[]) => {
    for (const n of nodes) {
      if ('#text' in n) continue;
      if (verbName(n) === name) out.push(n);
      visit(childrenOf(n));
    }
  };
  visit(parseTwiml(xml).verbs);
  return out;
}

describe('every <Say> has a language and a voice of that locale', () => {
  it('walks every answer', async () => {
    // Whole calls: every key of the main menu, *, #, garbage, silence until the retries run out,
    // the English line and its menu, and the spa team while closed.
    const sequences = ['1', '2', '3', '4', '5', '6', '7', '8', '91', '90', '9#1', '0', '*1', '#1', '', '9'];
    const queueEnds: { label: string; callSid: string; action: string; waitUrl: string | undefined }[] = [];
    for (const start of ['/voice/incoming', '/voice/incoming?l=en']) {
      for (const presses of sequences) {
        for (const at of ['2026-11-25T09:00:00Z', '2026-11-28T10:00:00Z']) {
          t.setNow(at);
          const call = await t.call(presses, { start });
          call.steps.forEach((s, i) => answers.set(`${start} ${presses} @${at} step ${i} (${s.request})`, s.twiml));
          if (call.end.kind === 'queue')
            queueEnds.push({ label: `${start} ${presses}`, callSid: call.callSid, action: call.end.action!, waitUrl: call.end.waitUrl });
        }
      }
    }
    t.setNow('2026-11-25T09:00:00Z');
    // A Digits value Twilio never sends, on a real menu URL.
    const first = parseTwiml(answers.values().next().value!).verbs.find((v) => verbName(v) === 'Gather')!;
    await post('garbage Digits', attrs(first).action!, { CallSid: newCallSid(), Digits: 'ab12' });

    // Waiting, the overflow offer and each answer to it, every queue and dial result, messages.
    expect(queueEnds.length).toBeGreaterThan(10);
    for (const q of queueEnds.slice(0, 4)) {
      const base = { CallSid: q.callSid };
      await post(`${q.label} hold`, q.waitUrl!, {
        ...base,
        QueuePosition: '3',
        QueueTime: '30',
        AvgQueueTime: '200',
        CurrentQueueSize: '3',
      });
      await post(`${q.label} hold short`, q.waitUrl!, { ...base, QueuePosition: '1', QueueTime: '5', AvgQueueTime: '20' });
      const offer = await post(`${q.label} overflow`, q.waitUrl!, { ...base, QueuePosition: '9', QueueTime: '5000', AvgQueueTime: '900' });
      const gather = parseTwiml(offer).verbs.find((v) => verbName(v) === 'Gather')!;
      for (const digits of ['1', '2', '3', '#', ''])
        await post(`${q.label} overflow choice ${digits}`, attrs(gather).action!, { ...base, Digits: digits });
      for (const result of [
        'bridged',
        'hangup',
        'leave',
        'queue-full',
        'error',
        'system-error',
        'redirected',
        'redirected-from-bridged',
        'nonsense',
      ]) {
        const done = await post(`${q.label} done ${result}`, q.action, { ...base, QueueResult: result, QueueTime: '40' });
        const record = parseTwiml(done).verbs.find((v) => verbName(v) === 'Record');
        if (record) {
          await post(`${q.label} message`, attrs(record).action!, {
            ...base,
            RecordingSid: 'RE' + '1'.repeat(32),
            RecordingDuration: '12',
          });
          await post(`${q.label} empty message`, attrs(record).action!, {
            ...base,
            RecordingSid: 'RE' + '1'.repeat(32),
            RecordingDuration: '0',
          });
        }
      }
      for (const status of ['busy', 'no-answer', 'failed', 'completed'])
        await post(`${q.label} dial ${status}`, q.action, { ...base, DialCallStatus: status });
    }
    await post('bridged', '/voice/queue/bridged', { CallSid: queueEnds[0]!.callSid });
    await post('status', '/voice/status', { CallSid: queueEnds[0]!.callSid, CallStatus: 'completed' });
    await post('fallback', '/voice/fallback', { CallSid: newCallSid(), ErrorCode: '11200' });
    await post('malformed webhook', '/voice/menu', { From: '+420603123456' });

    let said = 0;
    const problems: string[] = [];
    for (const [label, xml] of answers) {
      for (const say of findAll(xml, 'Say')) {
        said++;
        const { language, voice } = attrs(say);
        if (language === undefined || !/^[a-z]{2}-[A-Z]{2}$/.test(language)) problems.push(`${label}: <Say> language ${String(language)}`);
        else if (voice === undefined || !voice.includes(language))
          problems.push(`${label}: <Say language="${language}"> voice ${String(voice)}`);
      }
    }
    expect(problems).toEqual([]);
    // The walk really covered a lot of speech, in both languages.
    expect(said).toBeGreaterThan(200);
    const languages = new Set([...answers.values()].flatMap((xml) => findAll(xml, 'Say').map((s) => attrs(s).language)));
    expect(languages).toEqual(new Set(['cs-CZ', 'en-GB']));
  }, 60_000);
});
