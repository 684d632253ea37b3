// The insured number and the date of birth reach the agent side only: this scans every log
// line (debug level), every URL Twilio is told to call, every stored consent row, the metrics
// and the simulator's output of identified calls for them.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { formatText, toJson, type SimulatedCall } from '../../src/simulation/transcript.js';
import { loggerOptions } from '../../src/http/logging.js';
import { attrs, childrenOf, parseTwiml, textOf, verbName, type TwimlNode } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { IDENTIFY_CONFIG } from '../support/identify.js';
import { signedPost } from '../support/twilio.js';

class Capture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }
}

/** The secrets in every form they could leak: digits, read-back pairs, URL-encoded. */
const NUMBERS = ['6808215469', '280715152', '21081968', '15071928', '5911755509'];
const leaks = (text: string): string[] => {
  const squeezed = decodeURIComponent(text.replace(/\+/g, ' ')).replace(/[\s/.-]/g, '');
  return NUMBERS.filter((n) => squeezed.includes(n));
};

/** Every URL in a TwiML document (attributes and Redirect texts). */
function urlsIn(verbs: TwimlNode[]): string[] {
  const out: string[] = [];
  for (const v of verbs) {
    for (const value of Object.values(attrs(v))) if (/^https?:/.test(value)) out.push(value);
    if (verbName(v) === 'Redirect') out.push(textOf(v));
    out.push(...urlsIn(childrenOf(v).filter((c) => verbName(c) !== undefined && verbName(c) !== '#text')));
  }
  return out;
}

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('where the insured number never goes', () => {
  it('not in a log line, a callback URL, the consent log, or the metrics', async () => {
    const stream = new Capture();
    t = await buildTestApp({ configDir: IDENTIFY_CONFIG, now: '2026-11-25T09:00:00Z', logger: { ...loggerOptions('debug'), stream } });
    const calls = [
      await t.call('16808215469#121081968#'),
      await t.call('16808215469#2280715152#115071928#'),
      await t.call('16808215469#121081969#21081969#21081969#'),
      await t.call('35911755509#1'),
      await t.call('3280715152#1*'),
    ];
    const requested: string[] = [];
    const announced: string[] = [];
    for (const call of calls) {
      expect(call.end.kind).toBe('queue');
      for (const step of call.steps) {
        requested.push(step.request);
        announced.push(...urlsIn(parseTwiml(step.twiml).verbs));
      }
      // The agent side did get it (so the scan is not vacuous).
      expect(call.steps.at(-1)!.twiml).toMatch(/insuredNumber|ozp-payments/);
    }
    expect(requested.length).toBeGreaterThan(20);
    expect(announced.some((u) => u.includes('/voice/identify?') && u.includes('&s='))).toBe(true);
    for (const url of [...requested, ...announced]) expect(leaks(url), url).toEqual([]);

    const logText = stream.chunks.join('');
    expect(logText.split('\n').filter((l) => l.includes('identification')).length).toBeGreaterThan(5);
    expect(leaks(logText)).toEqual([]);

    const rows = await t.consentLog.list();
    expect(rows).toHaveLength(calls.length);
    expect(leaks(JSON.stringify(rows))).toEqual([]);

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(leaks(metrics.body)).toEqual([]);
    // Results are counted, by result only.
    expect(metrics.body).toMatch(/infoline_identifications_total\{identity="two-identifiers"\} 2/);
    expect(metrics.body).toMatch(/infoline_identifications_total\{identity="number-only"\} 3/);
  });

  it('not in the simulator output (masked), which still tells the identification result', async () => {
    t = await buildTestApp({ configDir: IDENTIFY_CONFIG, now: '2026-11-25T09:00:00Z' });
    const played = await t.call('16808215469#121081968#');
    const sim: SimulatedCall = {
      ...played,
      at: Date.parse('2026-11-25T09:00:00Z'),
      language: 'cs',
      version: t.registry.current!.version,
      consents: await t.consentLog.list(),
    };
    const text = formatText(sim);
    expect(leaks(text)).toEqual([]);
    expect(text).toContain('caller presses: xxxxxxxxxx#');
    expect(text).toContain('Zadali jste xx xx xx xx xx.');
    expect(text).toContain('identification: two-identifiers');
    expect(text).toContain('TaskRouter workflow WW0123456789abcdef0123456789abcdef (route insurance)');
    expect(leaks(JSON.stringify(toJson(sim)))).toEqual([]);
  });

  it('a Twilio retry of the final webhook adds no second consent row', async () => {
    t = await buildTestApp({ configDir: IDENTIFY_CONFIG, now: '2026-11-25T09:00:00Z' });
    const call = await t.call('15911755509#1');
    const last = call.steps.at(-1)!;
    await signedPost(t.app, last.request, { CallSid: call.callSid, From: '+420603123456', Digits: '1' });
    expect(await t.consentLog.list({ callSid: call.callSid })).toHaveLength(1);
  });
});
