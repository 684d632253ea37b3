// The whole-line emergency closure (reserved id `line`): every new call hears the reason,
// where else to turn, a goodbye and <Hangup/>; it ends by itself at `until` (request clock).
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attrs, parseTwiml, textOf, verbName } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'config');
const WED_OPEN = '2026-11-25T09:00:00Z';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ now: WED_OPEN, configDir: FIXTURE });
});
afterEach(async () => {
  await t.close();
});

const closeLine = (until: string, reason = 'porucha telefonní ústředny') =>
  t.switches.setClosure({ schedule: 'line', until, reason, since: WED_OPEN });

async function incoming(query = '') {
  const res = await signedPost(t.app, `/voice/incoming${query}`, { CallSid: newCallSid(), From: '+420603123456' });
  expect(res.statusCode).toBe(200);
  return parseTwiml(res.body).verbs;
}

describe('whole-line emergency closure', () => {
  it('a new call hears the reason, the branches and the e-filing office, a goodbye, then <Hangup/>', async () => {
    await closeLine('2026-11-25T11:00:00Z');
    const verbs = await incoming();
    expect(verbs.map(verbName)).toEqual(['Say', 'Say', 'Say', 'Hangup']);
    for (const say of verbs.slice(0, 3)) {
      expect(attrs(say).language).toBe('cs-CZ');
      expect(attrs(say).voice).toBe('Google.cs-CZ-Wavenet-A');
    }
    const [reason, elsewhere, goodbye] = verbs.map(textOf);
    expect(reason).toContain('porucha telefonní ústředny');
    expect(elsewhere).toContain('pobočku OZP');
    expect(elsewhere).toContain('elektronickou podatelnu');
    expect(goodbye).toContain('Na shledanou');
    expect(await t.consentLog.list()).toEqual([]);
  });

  it('speaks English on the English line', async () => {
    await closeLine('2026-11-25T11:00:00Z', 'telephone outage');
    const verbs = await incoming('?l=en');
    expect(verbs.map(verbName)).toEqual(['Say', 'Say', 'Say', 'Hangup']);
    expect(attrs(verbs[0]!).language).toBe('en-GB');
    expect(textOf(verbs[0]!)).toContain('telephone outage');
    expect(textOf(verbs[1]!)).toContain('elektronická podatelna');
  });

  it('ends by itself at `until`, compared with the request clock', async () => {
    await closeLine('2026-11-25T09:30:00Z');
    t.setNow('2026-11-25T09:29:59Z');
    expect((await incoming()).map(verbName)).toContain('Hangup');
    t.setNow('2026-11-25T09:30:00Z');
    expect((await incoming()).map(verbName)).toEqual(['Gather', 'Redirect']);
  });

  it('does not cut calls already in the menu: they go on to a person', async () => {
    const sid = newCallSid();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: sid, From: '+420603123456' });
    const action = attrs(parseTwiml(first.body).verbs[0]!).action!;
    await closeLine('2026-11-25T11:00:00Z');
    const next = await signedPost(t.app, action, { CallSid: sid, From: '+420603123456', Digits: '1' });
    expect(parseTwiml(next.body).verbs.map(verbName)).toContain('Enqueue');
  });

  it('is counted as a closed hit of schedule "line"', async () => {
    await closeLine('2026-11-25T11:00:00Z');
    await incoming();
    await incoming();
    const metric = await t.metrics.registry.getSingleMetricAsString('infoline_closed_hits_total');
    expect(metric).toMatch(/infoline_closed_hits_total\{schedule="line"\} 2/);
  });
});
