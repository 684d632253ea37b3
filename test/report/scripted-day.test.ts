// Issue 15, done means: a scripted day of calls through the webhooks → `report` equals the
// figures worked out by hand, as JSON, CSV and the table; the metric of abandonment agrees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFigures } from '../../src/report/format.js';
import { journeyReport, type Report } from '../../src/report/report.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost, TEST_BASE } from '../support/twilio.js';
import { cli } from '../cli/support.js';
import { callHandle, DAY, EXPECTED_DAY, SCRIPT } from './scripted-day.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const CONFIG = FROZEN_CONFIG;

let t: TestApp;
const sids: string[] = [];

beforeAll(async () => {
  t = await buildTestApp({ configDir: CONFIG });
  const line = {
    post: () => (url: string, params: Record<string, string>) =>
      signedPost(t.app, url, params).then((r) => ({ status: r.statusCode, body: r.body })),
    setNow: (iso: string) => t.setNow(iso),
  };
  for (const [i, call] of SCRIPT.entries()) {
    const sid = newCallSid();
    sids.push(sid);
    await call.play(callHandle(line, i, sid, call.at, TEST_BASE));
  }
  await t.journal.flush();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const env = () => ({ DATABASE_URL: t.dbPath, INFOLINE_CONFIG_DIR: CONFIG });

describe('a scripted day of calls → the report', () => {
  it('the report domain gives the hand-computed figures', async () => {
    const events = await t.journal.store.callsStarted('2026-11-29T23:00:00.000Z', '2026-11-30T23:00:00.000Z');
    expect(journeyReport(events, { from: '2026-11-29T23:00:00.000Z', to: '2026-11-30T23:00:00.000Z' })).toEqual(EXPECTED_DAY);
  });

  it('report --format json prints exactly one object: the hand-computed figures', { timeout: 120_000 }, async () => {
    const r = await cli(['report', '--from', DAY.from, '--to', DAY.to, '--format', 'json'], env());
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED_DAY);
  });

  it('ISO instants select the same calls as the Prague day', { timeout: 120_000 }, async () => {
    const r = await cli(['report', '--from', '2026-11-29T23:00:00Z', '--to', '2026-11-30T23:00:00Z', '--format', 'json'], env());
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED_DAY);
    // One minute less at the start: the call at 00:05 Prague is left out.
    const later = await cli(['report', '--from', '2026-11-29T23:06:00Z', '--to', DAY.to, '--format', 'json'], env());
    expect((JSON.parse(later.stdout) as Report).calls).toBe(EXPECTED_DAY.calls - 1);
  });

  it('report --format csv: one figure,value row per number, the same figures', { timeout: 120_000 }, async () => {
    const r = await cli(['report', '--from', DAY.from, '--to', DAY.to, '--format', 'csv'], env());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('figure,value');
    const got = Object.fromEntries(lines.slice(1).map((l) => l.split(',') as [string, string]));
    const want = Object.fromEntries(reportFigures(EXPECTED_DAY as Report).map(([k, v]) => [k, v === null ? '' : String(v)]));
    expect(got).toEqual(want);
    expect(got['queues.insurance.serviceLevel']).toBe('0.25');
    expect(got['choices.1']).toBe('3');
  });

  it('report (table) shows the same figures to a person', { timeout: 120_000 }, async () => {
    const r = await cli(['report', '--from', DAY.from, '--to', DAY.to], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Hovory \(calls\)\s+12$/m);
    expect(r.stdout).toMatch(/^Odmítli nahrávání \(declined\)\s+1$/m);
    expect(r.stdout).toMatch(/^Zavěsili v menu \(abandoned in menu\)\s+3$/m);
    expect(r.stdout).toMatch(/^spa\s+2$/m);
    expect(r.stdout).toMatch(/^english_menu\s+1$/m);
    expect(r.stdout).toMatch(/^insurance\s+4\s+3\s+1\s+0\s+0\s+25\s+40\s+25\.0 %$/m);
    expect(r.stdout).toMatch(/^vitakarta\s+2\s+0\s+0\s+1\s+0\s+–\s+–\s+–$/m);
  });

  it('usage errors: a bad format or range is refused without a stack trace', { timeout: 120_000 }, async () => {
    const bad = await cli(['report', '--from', DAY.to, '--to', DAY.from], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--to must be later than --from/);
    const format = await cli(['report', '--format', 'xml'], env());
    expect(format.code).toBe(2);
    expect(bad.stdout + format.stdout).toBe('');
  });

  it('abandonment metrics agree with the journeys: by node, queue hang-ups at their route', async () => {
    const metric = await t.metrics.abandoned.get();
    const byNode = Object.fromEntries(metric.values.map((v) => [String(v.labels.node), v.value]));
    // Menu: main ×2 (+1 the next day: hung up right after choosing 1, i.e. in insurance's queue), english_menu ×1;
    // queue hang-ups: insurance (C2, the next-day call), payments ×1; left without a message: vitakarta ×1.
    expect(byNode).toEqual({ main: 2, english_menu: 1, insurance: 2, payments: 1, vitakarta: 1 });
  });

  it('journeys hold no caller number and no key other than menu choices', async () => {
    const events = await t.journal.store.callsStarted('2026-11-01T00:00:00Z');
    const text = JSON.stringify(events);
    expect(text).not.toMatch(/603123456|261105555|\+420/);
    expect(events.filter((e) => e.detail !== undefined && /^[0-9#*]+$/.test(e.detail)).every((e) => e.kind === 'choice')).toBe(true);
    expect(events.some((e) => e.kind === 'invalid' && e.detail === undefined)).toBe(true);
  });
});
