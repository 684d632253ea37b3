// The console's HTTP API through app.inject on the real app: sign-in, CSRF, roles, the login
// rate limit, the audit log, closures heard by a simulated call, the masked consent export.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { CliIo } from '../../src/cli/io.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import { enableConsole, readConsoleEnv } from '../../src/console/enable.js';
import { consolePlugin } from '../../src/console/plugin.js';
import { registerUserCommands } from '../../src/cli/users.js';
import { hashPassword, UsersStore, writeUser } from '../../src/console/users.js';
import { createMetrics } from '../../src/http/metrics.js';
import { MemoryConsentLog } from '../../src/store/memory-consent-log.js';
import { MemorySwitchStore } from '../../src/store/memory-switch-store.js';
import { playCall } from '../../src/telephony/player.js';
import { quietLogger } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { buildConsoleApp, ConsoleClient, SECRET, TEST_COST, USERS, type ConsoleTestApp } from './support.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

interface SimBody {
  call: {
    steps: { input: string | null; heard: { kind: string; text?: string }[] }[];
    end: { kind: string; queue?: string; route?: string };
    consents: unknown[];
  };
  endText: string | null;
  waiting: boolean;
  unused: number;
}

const heardTexts = (sim: SimBody) => sim.call.steps.flatMap((s) => s.heard.map((h) => h.text ?? ''));

describe('console API', () => {
  let t: ConsoleTestApp;

  beforeEach(async () => {
    t = await buildConsoleApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('serves the page shell under /console (no diagram library: the flow is an outline), with security headers', async () => {
    const redirect = await t.app.inject({ method: 'GET', url: '/console' });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('/console/');
    const page = await t.app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<html lang="cs">');
    expect(page.body).toContain('src="main.js"');
    expect(page.body).not.toContain('mermaid');
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('leaves the voice and ops routes alone: no console cookies or headers, signatures still checked', async () => {
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/voice/incoming',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'CallSid=CA1&From=%2B420603123456',
    });
    expect(unsigned.statusCode).toBe(403);
    const signed = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid(), From: '+420603123456' });
    expect(signed.statusCode).toBe(200);
    expect(signed.headers['content-type']).toMatch(/text\/xml/);
    expect(signed.headers['set-cookie']).toBeUndefined();
    expect(signed.headers['content-security-policy']).toBeUndefined();
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });

  it('requires a session for the API', async () => {
    for (const url of ['/console/api/flow', '/console/api/hours', '/console/api/closures']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
    }
    const c = new ConsoleClient(t.app);
    expect((await c.session()).user).toBeNull();
  });

  it('signs in with a CSRF token and sets a HttpOnly, SameSite=Strict cookie scoped to /console', async () => {
    const c = new ConsoleClient(t.app);
    await c.session();
    const noToken = await c.request(
      'POST',
      '/console/api/login',
      { name: USERS.viewer.name, password: USERS.viewer.password },
      { csrf: null },
    );
    expect(noToken.statusCode).toBe(403);
    const res = await c.login(USERS.viewer.name, USERS.viewer.password);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { name: USERS.viewer.name, role: 'viewer', permissions: ['read'] } });
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((s) => s.startsWith('infoline_console='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/console/);
    expect(setCookie).not.toMatch(/Secure/i);
    expect(setCookie).not.toContain(USERS.viewer.password);
    const flow = await c.request('GET', '/console/api/flow');
    expect(flow.statusCode).toBe(200);
    const me = await c.session();
    expect(me.user?.name).toBe(USERS.viewer.name);
  });

  it('refuses a tampered, expired or revoked session', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    expect((await c.request('GET', '/console/api/flow')).statusCode).toBe(200);

    // Tampered: another role in the value, the old signature.
    const forged = new ConsoleClient(t.app);
    const login = await forged.login(USERS.viewer.name, USERS.viewer.password);
    const raw = login.cookies.find((k) => k.name === 'infoline_console')?.value ?? '';
    const [value, sig] = [raw.slice(0, raw.lastIndexOf('.')), raw.slice(raw.lastIndexOf('.') + 1)];
    const data = JSON.parse(Buffer.from(value, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${Buffer.from(JSON.stringify({ ...data, r: 'supervisor' })).toString('base64url')}.${sig}`;
    const res = await t.app.inject({ method: 'GET', url: '/console/api/flow', headers: { cookie: `infoline_console=${tampered}` } });
    expect(res.statusCode).toBe(401);

    // Expired after 8 hours.
    t.setNow(Date.parse('2026-11-25T09:00:00Z') + 8 * 3600_000 + 1);
    expect((await c.request('GET', '/console/api/flow')).statusCode).toBe(401);
    t.setNow('2026-11-25T09:00:00Z');
    expect((await c.request('GET', '/console/api/flow')).statusCode).toBe(200);

    // A new password (or role) in users.yaml ends the user's sessions.
    writeUser(t.usersFile, {
      name: USERS.supervisor.name,
      role: 'supervisor',
      passwordHash: await hashPassword('a-brand-new-password', TEST_COST),
    });
    expect((await c.request('GET', '/console/api/flow')).statusCode).toBe(401);
  });

  it('logs out: the session cookie is cleared and the API refuses again', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('viewer');
    const out = await c.request('POST', '/console/api/logout');
    expect(out.statusCode).toBe(200);
    expect(c.hasCookie('infoline_console')).toBe(false);
    expect((await c.request('GET', '/console/api/flow')).statusCode).toBe(401);
    expect(t.auditLines().map((l) => l.action)).toEqual(['login', 'logout']);
  });

  it('rate-limits the 6th sign-in after five wrong passwords for that user and IP, and audits each', async () => {
    const c = new ConsoleClient(t.app, '192.0.2.7');
    for (let i = 1; i <= 5; i++) {
      const res = await c.login(USERS.supervisor.name, `wrong-${i}`);
      expect(res.statusCode, `attempt ${i}`).toBe(401);
    }
    const sixth = await c.login(USERS.supervisor.name, USERS.supervisor.password);
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(c.hasCookie('infoline_console')).toBe(false);

    // Other users from that IP, and the same user from another IP, are not affected.
    const other = new ConsoleClient(t.app, '192.0.2.7');
    expect((await other.login(USERS.viewer.name, USERS.viewer.password)).statusCode).toBe(200);
    const elsewhere = new ConsoleClient(t.app, '198.51.100.9');
    expect((await elsewhere.login(USERS.supervisor.name, USERS.supervisor.password)).statusCode).toBe(200);

    const audit = t.auditLines().filter((l) => l.who === USERS.supervisor.name && l.ip === '192.0.2.7');
    expect(audit.map((l) => l.result)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'rate-limited']);
    expect(JSON.stringify(t.auditLines())).not.toContain('wrong-');
  });

  it('counts failures only: a successful sign-in starts the count again', async () => {
    const c = new ConsoleClient(t.app, '192.0.2.8');
    for (let i = 0; i < 4; i++) expect((await c.login(USERS.dpo.name, 'nope')).statusCode).toBe(401);
    expect((await c.login(USERS.dpo.name, USERS.dpo.password)).statusCode).toBe(200);
    const d = new ConsoleClient(t.app, '192.0.2.8');
    for (let i = 0; i < 5; i++) expect((await d.login(USERS.dpo.name, 'nope')).statusCode).toBe(401);
    expect((await d.login(USERS.dpo.name, 'nope')).statusCode).toBe(429);
  });

  it('treats an unknown user like a wrong password (401, same message, audited)', async () => {
    const c = new ConsoleClient(t.app, '192.0.2.9');
    const res = await c.login('nobody', 'whatever-password');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'wrong name or password', code: 'login.invalid' });
    expect(t.auditLines()).toEqual([
      expect.objectContaining({ who: 'nobody', role: null, action: 'login', result: 'failed', ip: '192.0.2.9' }),
    ]);
  });

  it('enforces roles: a viewer gets 403 for a closure, only the dpo reads consents', async () => {
    const viewer = new ConsoleClient(t.app);
    await viewer.loginAs('viewer');
    const close = await viewer.request('POST', '/console/api/closures', { schedule: 'spa', until: '2h', reason: 'test' });
    expect(close.statusCode).toBe(403);
    expect((await viewer.request('DELETE', '/console/api/closures/spa')).statusCode).toBe(403);
    expect((await viewer.request('GET', '/console/api/consents')).statusCode).toBe(403);
    expect(await t.switches.closures()).toEqual([]);

    const supervisor = new ConsoleClient(t.app);
    await supervisor.loginAs('supervisor');
    expect((await supervisor.request('GET', '/console/api/consents')).statusCode).toBe(403);
    const dpo = new ConsoleClient(t.app);
    await dpo.loginAs('dpo');
    expect((await dpo.request('POST', '/console/api/closures', { schedule: 'spa', until: '2h', reason: 'x' })).statusCode).toBe(403);
    expect((await dpo.request('GET', '/console/api/consents')).statusCode).toBe(200);

    const denied = t.auditLines().filter((l) => l.result === 'denied');
    expect(denied).toEqual([
      expect.objectContaining({ who: USERS.viewer.name, role: 'viewer', action: 'closure.set' }),
      expect.objectContaining({ who: USERS.viewer.name, role: 'viewer', action: 'closure.clear' }),
      expect.objectContaining({ who: USERS.viewer.name, role: 'viewer', action: 'consents.read' }),
      expect.objectContaining({ who: USERS.supervisor.name, role: 'supervisor', action: 'consents.read' }),
      expect.objectContaining({ who: USERS.dpo.name, role: 'dpo', action: 'closure.set' }),
    ]);
  });

  it('requires a CSRF token bound to the session on every write', async () => {
    const c = new ConsoleClient(t.app);
    const anonymousToken = (await c.session()).csrfToken;
    await c.loginAs('supervisor');
    const body = { schedule: 'spa', until: '2h', reason: 'porucha' };
    expect((await c.request('POST', '/console/api/closures', body, { csrf: null })).statusCode).toBe(403);
    expect((await c.request('POST', '/console/api/closures', body, { csrf: 'forged-token' })).statusCode).toBe(403);
    expect((await c.request('POST', '/console/api/closures', body, { csrf: anonymousToken })).statusCode).toBe(403);
    expect((await c.request('DELETE', '/console/api/closures/spa', undefined, { csrf: null })).statusCode).toBe(403);
    expect((await c.request('POST', '/console/api/simulate', { at: '2026-11-27T15:00', inputs: [] }, { csrf: null })).statusCode).toBe(403);
    expect((await c.request('POST', '/console/api/logout', undefined, { csrf: null })).statusCode).toBe(403);
    expect(await t.switches.closures()).toEqual([]);
    expect((await c.request('POST', '/console/api/closures', body)).statusCode).toBe(200);
  });

  it('simulates through the webhooks: 5 on a Friday at 15:00 hears the spa team closed and Monday 8:00', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('viewer');
    const res = await c.request('POST', '/console/api/simulate', { at: '2026-11-27T15:00', language: 'cs', inputs: ['5'] });
    expect(res.statusCode).toBe(200);
    const sim = res.json() as SimBody;
    expect(sim.waiting).toBe(true);
    expect(sim.endText).toBeNull();
    expect(sim.call.steps).toHaveLength(2);
    const second = sim.call.steps[1]?.heard.map((h) => h.text ?? '') ?? [];
    expect(second).toContain('Oddělení lázeňství je nyní mimo provozní dobu.');
    expect(second).toContain('Znovu jsme pro Vás k dispozici v pondělí v 8:00.');
    // The same call at 10:00 reaches the spa queue, with a (simulated) consent.
    const open = (await c.request('POST', '/console/api/simulate', { at: '2026-11-27T10:00', inputs: ['5'] })).json() as SimBody;
    expect(open.waiting).toBe(false);
    expect(open.call.end).toMatchObject({ kind: 'queue', route: 'spa' });
    expect(open.call.consents).toHaveLength(1);
    expect(await t.consentLog.list()).toEqual([]);
  });

  it('plays "no input" anywhere in the sequence, and to the end like the CLI when asked', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('viewer');
    const sim = (await c.request('POST', '/console/api/simulate', { at: '2026-11-25T10:00', inputs: ['silence', '1'] })).json() as SimBody;
    expect(sim.call.steps.map((s) => s.input)).toEqual([null, 'silence', '1']);
    expect(sim.call.steps[1]?.heard[0]?.text).toBe('Nezaznamenali jsme žádnou volbu.');
    expect(sim.call.end).toMatchObject({ kind: 'queue', route: 'insurance' });
    expect(sim.endText).toMatch(/^call ended: queue /);

    const silent = (
      await c.request('POST', '/console/api/simulate', { at: '2026-11-25T10:00', inputs: [], untilEnd: true })
    ).json() as SimBody;
    expect(silent.call.end).toMatchObject({ kind: 'queue', route: 'general' });

    const english = (
      await c.request('POST', '/console/api/simulate', { at: '2026-11-25T10:00', language: 'en', inputs: [] })
    ).json() as SimBody;
    expect(english.waiting).toBe(true);

    const bad = await c.request('POST', '/console/api/simulate', { at: 'yesterday', inputs: ['A'] });
    expect(bad.statusCode).toBe(400);
    const badTime = await c.request('POST', '/console/api/simulate', { at: 'yesterday', inputs: [] });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json()).toMatchObject({ error: expect.stringMatching(/not a date\/time/) });
  });

  it('closes a team: a simulated call hears the closure at once, and the service reopens it on time', async () => {
    t.setNow('2026-11-25T09:00:00Z'); // Wednesday 10:00 in Prague: the spa team is open
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    const before = (await c.request('POST', '/console/api/simulate', { at: '2026-11-25T10:05', inputs: ['5'] })).json() as SimBody;
    expect(before.call.end).toMatchObject({ kind: 'queue', route: 'spa' });

    const close = await c.request('POST', '/console/api/closures', { schedule: 'spa', until: '2h', reason: 'výpadek systému' });
    expect(close.statusCode).toBe(200);
    expect(close.json()).toEqual({
      closure: { schedule: 'spa', until: '2026-11-25T11:00:00.000Z', reason: 'výpadek systému', since: '2026-11-25T09:00:00.000Z' },
    });

    const during = (await c.request('POST', '/console/api/simulate', { at: '2026-11-25T10:05', inputs: ['5'] })).json() as SimBody;
    expect(during.waiting).toBe(true);
    expect(heardTexts(during)).toContain('Oddělení je mimořádně uzavřeno: výpadek systému.');
    expect(heardTexts(during)).toContain('Znovu jsme pro Vás k dispozici dnes v 12:00.');

    // The same closure is what a real call through the webhooks hears.
    const real = await playCall({
      start: '/voice/incoming',
      params: { CallSid: newCallSid(), From: '+420603123456' },
      presses: ['5'],
      maxSteps: 2,
      post: async (url, params) => {
        const r = await signedPost(t.app, url, params);
        return { status: r.statusCode, body: r.body };
      },
    });
    expect(real.steps[1]?.heard.map((h) => (h.kind === 'say' ? h.text : ''))).toContain('Oddělení je mimořádně uzavřeno: výpadek systému.');

    const list = (await c.request('GET', '/console/api/closures')).json() as {
      schedules: { id: string; closure: unknown; open: boolean; nextOpening: string | null }[];
    };
    expect(list.schedules.filter((s) => s.id === 'spa')).toEqual([
      {
        id: 'spa',
        name: 'Lázeňství',
        closure: expect.objectContaining({ reason: 'výpadek systému' }),
        open: false,
        nextOpening: '2026-11-25T11:00:00.000Z',
        closesAt: null,
      },
    ]);

    // After `until` the closure is over without anyone reopening it.
    const after = (await c.request('POST', '/console/api/simulate', { at: '2026-11-25T12:05', inputs: ['5'] })).json() as SimBody;
    expect(after.call.end).toMatchObject({ kind: 'queue', route: 'spa' });

    const reopen = await c.request('DELETE', '/console/api/closures/spa');
    expect(reopen.json()).toEqual({ removed: true });
    const again = (await c.request('POST', '/console/api/simulate', { at: '2026-11-25T10:05', inputs: ['5'] })).json() as SimBody;
    expect(again.call.end).toMatchObject({ kind: 'queue', route: 'spa' });

    const writes = t.auditLines().filter((l) => String(l.action).startsWith('closure.'));
    expect(writes).toEqual([
      {
        at: '2026-11-25T09:00:00.000Z',
        who: USERS.supervisor.name,
        role: 'supervisor',
        ip: '10.0.0.1',
        action: 'closure.set',
        target: 'spa',
        result: 'ok',
        details: { until: '2026-11-25T11:00:00.000Z', reason: 'výpadek systému' },
      },
      {
        at: '2026-11-25T09:00:00.000Z',
        who: USERS.supervisor.name,
        role: 'supervisor',
        ip: '10.0.0.1',
        action: 'closure.clear',
        target: 'spa',
        result: 'ok',
        details: { removed: true },
      },
    ]);
  });

  it('validates closures: known schedule, a reason, an end in the future', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    expect((await c.request('POST', '/console/api/closures', { schedule: 'nope', until: '2h', reason: 'x' })).statusCode).toBe(400);
    expect((await c.request('POST', '/console/api/closures', { schedule: 'spa', until: '2h', reason: '  ' })).statusCode).toBe(400);
    expect((await c.request('POST', '/console/api/closures', { schedule: 'spa', until: '2020-01-01T10:00', reason: 'x' })).statusCode).toBe(
      400,
    );
    expect((await c.request('POST', '/console/api/closures', { schedule: 'spa', until: 'soon', reason: 'x' })).statusCode).toBe(400);
    expect((await c.request('DELETE', '/console/api/closures/nope')).statusCode).toBe(404);
    expect(await t.switches.closures()).toEqual([]);
  });

  it('shows 14 days of hours per schedule: intervals, holidays by name, the emergency closure', async () => {
    t.setNow('2026-12-20T09:00:00Z');
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    await c.request('POST', '/console/api/closures', { schedule: 'spa', until: '2026-12-21T12:00', reason: 'školení' });
    const res = await c.request('GET', '/console/api/hours');
    const hours = res.json() as {
      schedules: {
        id: string;
        emergency: unknown;
        days: { date: string; intervals: unknown[]; closed?: { kind: string; name?: string }; text: string }[];
      }[];
    };
    expect(hours.schedules.map((s) => s.id)).toEqual(['spa', 'callbacks']);
    const spa = hours.schedules[0];
    expect(spa?.days).toHaveLength(14);
    expect(spa?.days[0]?.date).toBe('2026-12-20');
    expect(spa?.emergency).toMatchObject({ reason: 'školení' });
    const day = (d: string) => spa?.days.find((x) => x.date === d);
    expect(day('2026-12-21')).toMatchObject({ closed: { kind: 'emergency' }, intervals: [{ from: '12:00', to: '16:00' }] });
    expect(day('2026-12-22')).toMatchObject({ intervals: [{ from: '08:00', to: '16:00' }], text: '08:00–16:00' });
    expect(day('2026-12-24')?.closed).toMatchObject({ kind: 'holiday', name: expect.stringMatching(/Štědrý den/) });
    expect(day('2026-12-26')).toMatchObject({ intervals: [], closed: { kind: 'holiday' } });
  });

  it('exports consents to the dpo as CSV and JSONL with masked numbers only, and audits it', async () => {
    const call = async (presses: string[], from: string, at: string) => {
      t.setNow(at);
      const sid = newCallSid();
      await playCall({
        start: '/voice/incoming',
        params: { CallSid: sid, From: from },
        presses,
        post: async (url, params) => {
          const r = await signedPost(t.app, url, params);
          return { status: r.statusCode, body: r.body };
        },
      });
      return sid;
    };
    const granted = await call(['1'], '+420603123456', '2026-11-24T09:00:00Z');
    const declined = await call(['0'], '+420777888999', '2026-11-25T09:00:00Z');
    expect(await t.consentLog.list()).toHaveLength(2);
    t.setNow('2026-11-25T10:00:00Z');

    const dpo = new ConsoleClient(t.app);
    await dpo.loginAs('dpo');
    const all = (await dpo.request('GET', '/console/api/consents')).json() as {
      next: string | null;
      rows: { callSid: string; caller: string; decision: string }[];
    };
    expect(all.next).toBeNull();
    // Newest first.
    expect(all.rows.map((r) => r.caller)).toEqual(['+420777***999', '+420603***456']);

    const bySid = (await dpo.request('GET', `/console/api/consents?callSid=${declined}`)).json() as { rows: { callSid: string }[] };
    expect(bySid.rows.map((r) => r.callSid)).toEqual([declined]);
    const byDecision = (await dpo.request('GET', '/console/api/consents?decision=granted')).json() as { rows: { callSid: string }[] };
    expect(byDecision.rows.map((r) => r.callSid)).toEqual([granted]);
    const byRange = (await dpo.request('GET', '/console/api/consents?from=2026-11-24&to=2026-11-24')).json() as {
      rows: { callSid: string }[];
    };
    expect(byRange.rows.map((r) => r.callSid)).toEqual([granted]);
    expect((await dpo.request('GET', '/console/api/consents?callSid=%27%20or%201%3D1')).statusCode).toBe(400);

    const csv = await dpo.request('GET', '/console/api/consents?format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="consents-.*\.csv"$/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('callSid,at,caller,decision,language,route,noticeId,noticeVersion,noticeSha256,flowVersion');
    expect(lines).toHaveLength(3);
    // The plain export keeps a masked number as data (the Czech Excel variant quotes it).
    expect(lines[1]?.split(',')[2]).toBe('+420603***456');
    const jsonl = await dpo.request('GET', '/console/api/consents?format=jsonl&decision=declined');
    const rows = jsonl.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { caller: string; decision: string });
    expect(rows).toEqual([expect.objectContaining({ caller: '+420777***999', decision: 'declined' })]);
    for (const body of [csv.body, jsonl.body, JSON.stringify(all)]) {
      expect(body).not.toContain('603123456');
      expect(body).not.toContain('777888999');
      expect(body).not.toMatch(/\+\d{10,}/);
    }
    const exports = t.auditLines().filter((l) => String(l.action).startsWith('consents.'));
    expect(exports.map((l) => [l.who, l.role, l.action, (l.details as { format: string }).format])).toEqual([
      [USERS.dpo.name, 'dpo', 'consents.search', 'json'],
      [USERS.dpo.name, 'dpo', 'consents.search', 'json'],
      [USERS.dpo.name, 'dpo', 'consents.search', 'json'],
      [USERS.dpo.name, 'dpo', 'consents.search', 'json'],
      [USERS.dpo.name, 'dpo', 'consents.export', 'csv'],
      [USERS.dpo.name, 'dpo', 'consents.export', 'jsonl'],
    ]);
  });

  it('masks a full number even if a store held one', async () => {
    await t.consentLog.append({
      callSid: 'CA00000000000000000000000000000001',
      at: '2026-11-24T09:00:00.000Z',
      caller: '+420603123456',
      decision: 'granted',
      language: 'cs',
      route: 'insurance',
      noticeId: 'consent.notice',
      noticeVersion: 'abc',
      noticeSha256: 'a'.repeat(64),
      flowVersion: 'v1',
    });
    const dpo = new ConsoleClient(t.app);
    await dpo.loginAs('dpo');
    const csv = await dpo.request('GET', '/console/api/consents?format=csv');
    expect(csv.body).toContain('+420603***456');
    expect(csv.body).not.toContain('603123456');
  });

  it('shows the flow: Mermaid from the CLI graph, the version and when it was loaded', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('viewer');
    const flow = (await c.request('GET', '/console/api/flow')).json() as {
      version: string;
      loadedAt: string;
      mermaid: string;
      refused: unknown;
    };
    expect(flow.version).toBe(t.registry.current?.version);
    expect(flow.loadedAt).toBe(t.registry.loadedAt?.toISOString());
    expect(flow.mermaid.startsWith('flowchart TD\n')).toBe(true);
    expect(flow.mermaid).toContain('|"5"|');
    expect(flow.refused).toBeNull();
  });
});

describe('console API with a refused config edit', () => {
  let dir: string;
  let registry: ConfigRegistry;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'infoline-console-cfg-'));
    for (const sub of ['flows', 'prompts', 'config']) cpSync(join(FROZEN_CONFIG, sub), join(dir, sub), { recursive: true });
    registry = new ConfigRegistry({ dir, logger: quietLogger });
    registry.start();
  });
  afterAll(() => {
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the refused edit as file:line path: message while the last good version keeps serving', async () => {
    const good = registry.current?.version;
    const hours = readFileSync(join(dir, 'config/hours.yaml'), 'utf8').replace(
      'fri: [{ from: "08:00", to: "14:00" }]',
      'fri: [{ from: "8 o\'clock", to: "14:00" }]',
    );
    writeFileSync(join(dir, 'config/hours.yaml'), hours);
    expect(registry.reload().result).toBe('refused');
    const app = await buildApp({
      registry,
      consentLog: new MemoryConsentLog(),
      switches: new MemorySwitchStore(),
      logger: false,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    const usersFile = join(dir, 'users-test.yaml');
    writeUser(usersFile, { name: 'v', role: 'viewer', passwordHash: await hashPassword('viewer-password-123', TEST_COST) });
    await app.register(consolePlugin, {
      registry,
      consentLog: new MemoryConsentLog(),
      switches: new MemorySwitchStore(),
      usersFile,
      sessionSecret: SECRET,
      auditLogPath: join(dir, 'audit.log'),
    });
    await app.ready();
    try {
      const c = new ConsoleClient(app);
      expect((await c.login('v', 'viewer-password-123')).statusCode).toBe(200);
      const flow = (await c.request('GET', '/console/api/flow')).json() as {
        version: string;
        refused: { text: string; file: string; line: number }[];
      };
      expect(flow.version).toBe(good);
      expect(flow.refused.length).toBeGreaterThan(0);
      expect(flow.refused[0]?.file).toBe('config/hours.yaml');
      expect(flow.refused[0]?.text).toMatch(/^config\/hours\.yaml:\d+ schedules\.spa\.weekly\.fri\[0\]\.from: /);
    } finally {
      await app.close();
    }
  });
});

describe('console sign-in limits per IP', () => {
  it('limits attempts from one IP whatever the names tried', async () => {
    const t = await buildConsoleApp({ loginFailures: { max: 5, windowMs: 60_000, perIp: 3 } });
    try {
      const c = new ConsoleClient(t.app, '203.0.113.5');
      expect((await c.login(USERS.viewer.name, 'wrong-password')).statusCode).toBe(401);
      expect((await c.login(USERS.supervisor.name, 'wrong-password')).statusCode).toBe(401);
      expect((await c.login(USERS.dpo.name, 'wrong-password')).statusCode).toBe(401);
      expect((await c.login(USERS.dpo.name, USERS.dpo.password)).statusCode).toBe(429);
      expect((await new ConsoleClient(t.app, '203.0.113.6').login(USERS.dpo.name, USERS.dpo.password)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('switching the console on from the environment', () => {
  it('is off without CONSOLE_SESSION_SECRET or without a users file, and refuses a short secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infoline-console-env-'));
    const logs: string[] = [];
    const logger = { info: (_o: object, m?: string) => logs.push(`info ${m}`), warn: (_o: object, m?: string) => logs.push(`warn ${m}`) };
    const registry = new ConfigRegistry({ dir: FROZEN_CONFIG, logger: quietLogger });
    registry.start();
    const deps = { registry, consentLog: new MemoryConsentLog(), switches: new MemorySwitchStore(), logger };
    const app = await buildApp({ ...deps, logger: false, metrics: createMetrics({ defaultMetrics: false }) });
    try {
      expect(() => readConsoleEnv({ CONSOLE_SESSION_SECRET: 'too-short' })).toThrow(
        /CONSOLE_SESSION_SECRET must be at least 32 characters/,
      );
      const off = readConsoleEnv({ INFOLINE_CONFIG_DIR: dir });
      expect(off).toEqual({
        sessionSecret: undefined,
        usersFile: join(dir, 'config', 'users.yaml'),
        auditLogPath: expect.stringMatching(/data\/console-audit\.log$/),
        secureCookies: false,
      });
      expect(await enableConsole(app, deps, off)).toBe(false);
      const noUsers = readConsoleEnv({ INFOLINE_CONFIG_DIR: dir, CONSOLE_SESSION_SECRET: SECRET, PUBLIC_URL: 'https://ivr.example.org' });
      expect(noUsers.secureCookies).toBe(true);
      expect(await enableConsole(app, deps, noUsers)).toBe(false);
      writeUser(noUsers.usersFile, { name: 'v', role: 'viewer', passwordHash: await hashPassword('viewer-password-123', TEST_COST) });
      expect(await enableConsole(app, deps, { ...noUsers, auditLogPath: join(dir, 'audit.log') })).toBe(true);
      await app.ready();
      expect((await app.inject({ method: 'GET', url: '/console/api/session' })).statusCode).toBe(200);
      expect(logs).toEqual([
        'info supervisor console off (set CONSOLE_SESSION_SECRET and add a user to enable it)',
        'warn supervisor console off: no users file (add one with "infoline user add <name> --role <role>")',
        'info supervisor console enabled at /console',
      ]);
    } finally {
      await app.close();
      registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no /console routes when it is off', async () => {
    const registry = new ConfigRegistry({ dir: FROZEN_CONFIG, logger: quietLogger });
    registry.start();
    const app = await buildApp({
      registry,
      consentLog: new MemoryConsentLog(),
      switches: new MemorySwitchStore(),
      logger: false,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/console/' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/console/api/session' })).statusCode).toBe(404);
    await app.close();
    registry.close();
  });
});

describe('console options', () => {
  it('marks cookies Secure behind HTTPS and refuses a short secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infoline-console-opt-'));
    try {
      const registry = new ConfigRegistry({ dir: FROZEN_CONFIG, logger: quietLogger });
      registry.start();
      const usersFile = join(dir, 'users.yaml');
      writeUser(usersFile, { name: 's', role: 'supervisor', passwordHash: await hashPassword('supervisor-password', TEST_COST) });
      const base = {
        registry,
        consentLog: new MemoryConsentLog(),
        switches: new MemorySwitchStore(),
        usersFile,
        auditLogPath: join(dir, 'a.log'),
      };

      const weak = await buildApp({ ...base, logger: false, metrics: createMetrics({ defaultMetrics: false }) });
      await expect(weak.register(consolePlugin, { ...base, sessionSecret: 'short' }).ready()).rejects.toThrow(/at least 32 characters/);
      await weak.close().catch(() => undefined);

      const app = await buildApp({ ...base, logger: false, metrics: createMetrics({ defaultMetrics: false }) });
      await app.register(consolePlugin, { ...base, sessionSecret: SECRET, secureCookies: true });
      await app.ready();
      const c = new ConsoleClient(app);
      const res = await c.login('s', 'supervisor-password');
      expect(res.statusCode).toBe(200);
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) expect(cookie).toMatch(/; Secure/);
      await app.close();
      registry.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('infoline user add', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'infoline-users-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (args: string[], password: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), env: { INFOLINE_CONFIG_DIR: dir }, now: () => Date.now() };
    const program = new Command('infoline').exitOverride();
    registerUserCommands(program, { io, readPassword: async () => password, cost: TEST_COST });
    let error: unknown;
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (e) {
      error = e;
    }
    return { out: out.join(''), err: err.join(''), error };
  };

  it('writes config/users.yaml with an scrypt hash and prints nothing secret', async () => {
    const password = 'correct horse battery staple';
    const r = await run(['user', 'add', 'jana.novakova', '--role', 'supervisor'], password);
    expect(r.error).toBeUndefined();
    expect(r.out).toBe(`added console user jana.novakova (role supervisor) in ${join(dir, 'config', 'users.yaml')}\n`);
    const text = readFileSync(join(dir, 'config', 'users.yaml'), 'utf8');
    expect(text).not.toContain(password);
    expect(r.out + r.err).not.toContain(password);
    expect(text).toMatch(/password: scrypt\$16384\$8\$1\$/);
    const user = new UsersStore(join(dir, 'config', 'users.yaml')).get('jana.novakova');
    expect(user?.role).toBe('supervisor');

    const again = await run(['user', 'add', 'jana.novakova', '--role', 'viewer'], 'another long password');
    expect(again.out).toMatch(/^updated console user jana.novakova \(role viewer\)/);
    expect(new UsersStore(join(dir, 'config', 'users.yaml')).get('jana.novakova')?.role).toBe('viewer');
  });

  it('refuses a short password, a bad name and an unknown role, changing nothing', async () => {
    expect((await run(['user', 'add', 'petr', '--role', 'viewer'], 'short')).error).toBeInstanceOf(Error);
    expect((await run(['user', 'add', 'Petr Novák', '--role', 'viewer'], 'long enough password')).error).toBeInstanceOf(Error);
    expect((await run(['user', 'add', 'petr', '--role', 'admin'], 'long enough password')).error).toBeInstanceOf(Error);
    expect(() => readFileSync(join(dir, 'config', 'users.yaml'))).toThrow();
  });
});
