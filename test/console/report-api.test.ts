// The dashboard's API: GET /console/api/report is the CLI report's JSON for a range, /report/hours
// the calls per Prague hour, /live the calls in the menu and in the queues right now.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../src/console/plugin.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost, TEST_BASE } from '../support/twilio.js';
import { callHandle, EXPECTED_DAY, SCRIPT } from '../report/scripted-day.js';
import { ConsoleClient, SECRET, writeTestUsers } from './support.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const CONFIG = FROZEN_CONFIG;
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({
    configDir: CONFIG,
    trustProxy: true,
    beforeReady: async ({ app, registry, consentLog, switches, journal, dir, now }) => {
      const usersFile = join(dir, 'users.yaml');
      await writeTestUsers(usersFile);
      await app.register(consolePlugin, {
        registry,
        consentLog,
        switches,
        journeys: journal.store,
        usersFile,
        sessionSecret: SECRET,
        auditLogPath: join(dir, 'audit.log'),
        now,
      });
    },
  });
  const line = {
    post: () => (url: string, params: Record<string, string>) =>
      signedPost(t.app, url, params).then((r) => ({ status: r.statusCode, body: r.body })),
    setNow: (iso: string) => t.setNow(iso),
  };
  for (const [i, call] of SCRIPT.entries()) await call.play(callHandle(line, i, newCallSid(), call.at, TEST_BASE));
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('console report API', () => {
  it('needs a signed-in user', async () => {
    const anonymous = new ConsoleClient(t.app);
    for (const url of ['/console/api/report', '/console/api/report/hours', '/console/api/live']) {
      expect((await anonymous.request('GET', url)).statusCode).toBe(401);
    }
  });

  it('GET report?from=&to= (Prague days) is the CLI report’s JSON', async () => {
    await t.journal.flush();
    const viewer = new ConsoleClient(t.app);
    await viewer.loginAs('viewer');
    const res = await viewer.request('GET', '/console/api/report?from=2026-11-30&to=2026-12-01');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(EXPECTED_DAY);
    expect((await viewer.request('GET', '/console/api/report?from=2026-12-01&to=2026-11-30')).statusCode).toBe(400);
    expect((await viewer.request('GET', '/console/api/report?from=yesterday')).statusCode).toBe(400);
  });

  it('GET report/hours: 24 Prague hours, calls counted in the hour they started', async () => {
    const viewer = new ConsoleClient(t.app);
    await viewer.loginAs('viewer');
    const res = await viewer.request('GET', '/console/api/report/hours?from=2026-11-30&to=2026-12-01');
    const body = res.json() as { hours: { hour: string; calls: number }[] };
    expect(body.hours).toHaveLength(24);
    const byHour = Object.fromEntries(body.hours.filter((h) => h.calls > 0).map((h) => [h.hour.slice(11, 13), h.calls]));
    // Prague = UTC+1: 00:05, 07:30, 09:00–09:40 (×5), 10:00–10:40 (×3), 17:00.
    expect(byHour).toEqual({ '00': 1, '07': 1, '09': 5, '10': 4, '17': 1 });
    expect(body.hours.reduce((n, h) => n + h.calls, 0)).toBe(EXPECTED_DAY.calls);
  });

  it('GET live: calls in the menu, callers waiting per queue and the longest wait', async () => {
    const post = (url: string, params: Record<string, string>) => signedPost(t.app, url, params);
    t.setNow('2026-12-02T10:00:00Z');
    const waiting = newCallSid();
    await post('/voice/incoming', { CallSid: waiting });
    const menu = await post('/voice/incoming', { CallSid: newCallSid() });
    expect(menu.statusCode).toBe(200);
    // The waiting caller presses 1 (insurance) at 10:00.
    const action = /action="([^"]+)"/.exec((await post('/voice/incoming', { CallSid: waiting })).body)![1]!.replace(/&amp;/g, '&');
    await post(action, { CallSid: waiting, Digits: '1' });
    t.setNow('2026-12-02T10:01:30Z');
    const early = newCallSid();
    await post('/voice/incoming', { CallSid: early });
    const earlyAction = /action="([^"]+)"/.exec((await post('/voice/incoming', { CallSid: early })).body)![1]!.replace(/&amp;/g, '&');
    await post(earlyAction, { CallSid: early, Digits: '2' });
    t.setNow('2026-12-02T10:03:00Z');
    await t.journal.flush();
    const viewer = new ConsoleClient(t.app);
    await viewer.loginAs('viewer');
    const live = (await viewer.request('GET', '/console/api/live')).json();
    expect(live).toEqual({
      at: '2026-12-02T10:03:00.000Z',
      inMenu: 1,
      waiting: { insurance: 1, vitakarta: 1 },
      longestWait: { queue: 'insurance', seconds: 180 },
    });
  });
});
