// Twilio edge rules (DESIGN "Twilio edge rules"): `#` as a key, per-prompt language, speaking
// rate and menu timeout, the static fallback, queue results Twilio really sends, empty
// recordings. Every answer goes through app.inject with real signatures and is parsed.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { CliIo } from '../../src/cli/io.js';
import { fallbackDocument } from '../../src/telephony/fallback.js';
import { attrs, childrenOf, parseTwiml, textOf, verbName, type TwimlNode } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { fixtureConfig, type FixtureEdit } from '../support/fixture-config.js';
import { newCallSid, signedPost } from '../support/twilio.js';

let t: TestApp | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function app(edits: FixtureEdit[] = []): Promise<TestApp> {
  const dir = fixtureConfig('config', edits);
  dirs.push(dir);
  t = await buildTestApp({ configDir: dir, now: '2026-11-25T09:00:00Z' });
  return t;
}

/** Every <Say> of a document, inside Gathers too. */
function says(xml: string): TwimlNode[] {
  const out: TwimlNode[] = [];
  const visit = (nodes: TwimlNode[]) => {
    for (const n of nodes) {
      if ('#text' in n) continue;
      if (verbName(n) === 'Say') out.push(n);
      else visit(childrenOf(n));
    }
  };
  visit(parseTwiml(xml).verbs);
  return out;
}

const gatherOf = (xml: string) => parseTwiml(xml).verbs.find((v) => verbName(v) === 'Gather');

async function start(a: TestApp, callSid = newCallSid()) {
  const res = await signedPost(a.app, '/voice/incoming', { CallSid: callSid, From: '+420603123456' });
  expect(res.statusCode).toBe(200);
  return { callSid, res, gather: gatherOf(res.body)! };
}

describe('# is a key', () => {
  it('menu Gathers set finishOnKey="" and # is answered as an unknown key, not as silence', async () => {
    const a = await app();
    const { callSid, gather } = await start(a);
    expect(attrs(gather).finishOnKey).toBe('');
    const res = await signedPost(a.app, attrs(gather).action!, { CallSid: callSid, Digits: '#' });
    expect(res.statusCode).toBe(200);
    const texts = says(res.body).map(textOf);
    expect(texts).toContain('Tuto volbu neznáme.');
    expect(texts).not.toContain('Nezaznamenali jsme žádnou volbu.');
    const again = gatherOf(res.body)!;
    expect(attrs(again).finishOnKey).toBe('');
    expect(attrs(again).numDigits).toBe('1');
  });
});

describe('each prompt in its own language', () => {
  it('the English sentence of the Czech menu is said by the English voice', async () => {
    const a = await app();
    const { gather } = await start(a);
    const nine = childrenOf(gather).find((c) => textOf(c).includes('press nine'))!;
    expect(attrs(nine)).toEqual({ language: 'en-GB', voice: 'Google.en-GB-Wavenet-A' });
    const one = childrenOf(gather).find((c) => textOf(c).includes('jedničku'))!;
    expect(attrs(one)).toEqual({ language: 'cs-CZ', voice: 'Google.cs-CZ-Wavenet-A' });
  });

  it('without a voice in the prompt file, Say still names one of its locale', async () => {
    const a = await app([['prompts/cs.yaml', /^voice: .*$/m, '']]);
    const { gather } = await start(a);
    const one = childrenOf(gather).find((c) => textOf(c).includes('jedničku'))!;
    expect(attrs(one)).toEqual({ language: 'cs-CZ', voice: 'Google.cs-CZ-Standard-A' });
  });
});

describe('speaking rate and menu timeout', () => {
  it('by default: no <prosody>, the menu waits 7 s', async () => {
    const a = await app();
    const { gather } = await start(a);
    expect(attrs(gather).timeout).toBe('7');
    for (const say of childrenOf(gather)) expect(childrenOf(say).every((c) => '#text' in c)).toBe(true);
  });

  it('rate: 85% wraps every Czech text in <prosody rate="85%">; timeout: 12 is the Gather timeout', async () => {
    const a = await app([
      ['prompts/cs.yaml', '# rate: 85%', 'rate: 85%'],
      ['flows/infoline.yaml', /( {2}main:\n {4}kind: menu\n)/, '$1    timeout: 12\n'],
    ]);
    const { gather } = await start(a);
    expect(attrs(gather).timeout).toBe('12');
    const kids = childrenOf(gather);
    const czech = kids.filter((c) => attrs(c).language === 'cs-CZ');
    expect(czech.length).toBeGreaterThan(5);
    for (const say of czech) {
      const inner = childrenOf(say);
      expect(inner.map(verbName)).toEqual(['prosody']);
      expect(attrs(inner[0]!).rate).toBe('85%');
    }
    expect(textOf(czech.find((c) => textOf(c).includes('jedničku'))!)).toContain('stiskněte jedničku');
    // The English voice keeps its own (default) rate.
    const nine = kids.find((c) => textOf(c).includes('press nine'))!;
    expect(childrenOf(nine).every((c) => '#text' in c)).toBe(true);
  });
});

describe('the fallback document', () => {
  const capture = (env: NodeJS.ProcessEnv) => {
    let out = '';
    let err = '';
    const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s), env, now: () => Date.now() };
    return { io, out: () => out, err: () => err };
  };

  it('/voice/fallback answers exactly what `infoline fallback-twiml` prints: apology with voice, then the general queue', async () => {
    const a = await app();
    const res = await signedPost(a.app, '/voice/fallback', { CallSid: newCallSid(), ErrorCode: '11200' });
    expect(res.statusCode).toBe(200);
    const c = capture({ INFOLINE_CONFIG_DIR: dirs[0] });
    expect(await runCli(['fallback-twiml'], c.io)).toBe(0);
    expect(c.out().trim()).toBe(res.body);
    const { verbs } = parseTwiml(res.body);
    expect(verbs.map(verbName)).toEqual(['Say', 'Enqueue']);
    expect(attrs(verbs[0]!)).toEqual({ language: 'cs-CZ', voice: 'Google.cs-CZ-Wavenet-A' });
    expect(textOf(verbs[0]!)).toMatch(/^Omlouváme se/);
    expect(textOf(verbs[1]!)).toBe('ozp-general');
    // Nothing in it points back at our host (it must work while the host is down).
    expect(attrs(verbs[1]!)).toEqual({});
  });

  it('a general line that is a dial target is dialled', async () => {
    const a = await app([['config/queues.yaml', 'general:   { queue: ozp-general }', 'general:   { dial: "+420261105555" }']]);
    const res = await signedPost(a.app, '/voice/fallback', { CallSid: newCallSid() });
    const { verbs } = parseTwiml(res.body);
    expect(verbs.map(verbName)).toEqual(['Say', 'Dial']);
    expect(childrenOf(verbs[1]!).map((n) => [verbName(n), textOf(n)])).toEqual([['Number', '+420261105555']]);
    const c = capture({ INFOLINE_CONFIG_DIR: dirs[0] });
    await runCli(['fallback-twiml'], c.io);
    expect(c.out().trim()).toBe(res.body);
  });

  it('with no usable config the CLI still prints a document (and says so on stderr)', async () => {
    const empty = fixtureConfig('config', [['flows/infoline.yaml', 'kind: menu', 'kind: bogus']]);
    dirs.push(empty);
    const c = capture({ INFOLINE_CONFIG_DIR: empty });
    expect(await runCli(['fallback-twiml'], c.io)).toBe(0);
    expect(c.err()).toMatch(/no valid configuration/);
    expect(parseTwiml(c.out()).verbs.map(verbName)).toEqual(['Say', 'Enqueue']);
    // The built-in document (no config at all) speaks with a Czech voice too.
    const builtIn = parseTwiml(fallbackDocument(undefined)).verbs;
    expect(attrs(builtIn[0]!)).toEqual({ language: 'cs-CZ', voice: 'Google.cs-CZ-Wavenet-A' });
    expect(textOf(builtIn[1]!)).toBe('ozp-general');
  });
});

describe('queue results and recordings Twilio really sends', () => {
  async function queued(a: TestApp) {
    const call = await a.call('1');
    if (call.end.kind !== 'queue') throw new Error('not queued');
    return { callSid: call.callSid, done: call.end.action! };
  }
  const abandoned = async (a: TestApp) => (await a.metrics.abandoned.get()).values.reduce((n, v) => n + v.value, 0);

  it('QueueResult=redirected-from-bridged: an empty <Response/>, counted as connected', async () => {
    const a = await app();
    const { callSid, done } = await queued(a);
    const res = await signedPost(a.app, done, { CallSid: callSid, QueueResult: 'redirected-from-bridged', QueueTime: '40' });
    expect(res.statusCode).toBe(200);
    expect(parseTwiml(res.body)).toEqual({ root: 'Response', verbs: [] });
    await signedPost(a.app, '/voice/status', { CallSid: callSid, CallStatus: 'completed' });
    expect(await abandoned(a)).toBe(0);
  });

  it.each([
    ['no RecordingSid', { RecordingDuration: '12' }],
    ['RecordingDuration 0', { RecordingSid: 'RE' + '1'.repeat(32), RecordingDuration: '0' }],
    ['no RecordingDuration', { RecordingSid: 'RE' + '1'.repeat(32) }],
  ])('a Record that caught nothing (%s) is no message: no thanks, not counted', async (_name, params) => {
    const a = await app();
    const { callSid, done } = await queued(a);
    const leave = await signedPost(a.app, done, { CallSid: callSid, QueueResult: 'leave' });
    const record = parseTwiml(leave.body).verbs.find((v) => verbName(v) === 'Record')!;
    const res = await signedPost(a.app, attrs(record).action!, { CallSid: callSid, ...params });
    expect(res.statusCode).toBe(200);
    const texts = says(res.body).map(textOf).join(' ');
    expect(texts).not.toMatch(/vzkaz/i);
    expect(texts).toBe(a.registry.current!.speech.text('cs', 'queue.goodbye'));
    expect(parseTwiml(res.body).verbs.map(verbName).at(-1)).toBe('Hangup');
    await signedPost(a.app, '/voice/status', { CallSid: callSid, CallStatus: 'completed' });
    expect(await abandoned(a)).toBe(1);
  });

  it('a real recording is thanked for and counted as a message', async () => {
    const a = await app();
    const { callSid, done } = await queued(a);
    const leave = await signedPost(a.app, done, { CallSid: callSid, QueueResult: 'leave' });
    const record = parseTwiml(leave.body).verbs.find((v) => verbName(v) === 'Record')!;
    const res = await signedPost(a.app, attrs(record).action!, {
      CallSid: callSid,
      RecordingSid: 'RE' + '2'.repeat(32),
      RecordingDuration: '9',
    });
    expect(says(res.body).map(textOf).join(' ')).toBe(a.registry.current!.speech.text('cs', 'queue.thanks'));
    await signedPost(a.app, '/voice/status', { CallSid: callSid, CallStatus: 'completed' });
    expect(await abandoned(a)).toBe(0);
  });
});
