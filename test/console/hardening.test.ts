// Issue 19 against the console: it fails closed when it cannot audit, logout ends a session on
// every instance, names from outside never match Object.prototype, CSRF rejections are
// audited, and the whole-line closure is a supervisor's switch.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/store/sqlite-sessions.js';
import { parseTwiml, verbName } from '../../src/telephony/player.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { buildConsoleApp, ConsoleClient, type ConsoleTestApp } from './support.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'config');

let t: ConsoleTestApp;
beforeEach(async () => {
  t = await buildConsoleApp({ configDir: FIXTURE });
});
afterEach(async () => {
  await t.close();
});

/** Makes the audit log unwritable (its path becomes a directory: root cannot append there either). */
function breakAuditLog(): void {
  rmSync(t.auditLogPath, { force: true });
  mkdirSync(t.auditLogPath, { recursive: true });
}

describe('an unwritable audit log: the console does nothing it cannot record', () => {
  it('sign-in answers 503 with a Czech message and a code, and sets no session cookie', async () => {
    breakAuditLog();
    const c = new ConsoleClient(t.app);
    await c.session();
    const res = await c.login('sam.supervisor', 'supervisor-password-123');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'audit_unavailable', error: expect.stringContaining('Auditní záznam nelze zapsat') });
    expect(res.cookies.map((k) => k.name)).not.toContain('infoline_console');
    expect((await c.request('GET', '/console/api/closures')).statusCode).toBe(401);
  });

  it('a closure is neither created nor ended', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    expect((await c.request('POST', '/console/api/closures', { schedule: 'spa', until: '2h', reason: 'školení' })).statusCode).toBe(200);
    breakAuditLog();
    const close = await c.request('POST', '/console/api/closures', { schedule: 'line', until: '2h', reason: 'porucha' });
    expect(close.statusCode).toBe(503);
    expect(close.json()).toMatchObject({ code: 'audit_unavailable' });
    const reopen = await c.request('DELETE', '/console/api/closures/spa');
    expect(reopen.statusCode).toBe(503);
    expect((await t.switches.closures()).map((x) => x.schedule)).toEqual(['spa']);
  });
});

describe('logout ends the session everywhere', () => {
  it('a cookie copied before logout stops working on this instance', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    const stolen = c.copy();
    expect((await stolen.request('GET', '/console/api/closures')).statusCode).toBe(200);
    expect((await c.request('POST', '/console/api/logout')).statusCode).toBe(200);
    expect((await stolen.request('GET', '/console/api/closures')).statusCode).toBe(401);
    expect((await stolen.session()).user).toBeNull();
  });

  it('and on another instance sharing the session store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infoline-shared-sessions-'));
    const sharedA = new SqliteSessionStore({ path: join(dir, 'shared.db') });
    const sharedB = new SqliteSessionStore({ path: join(dir, 'shared.db') });
    await sharedA.migrate();
    await sharedB.migrate();
    const a = await buildConsoleApp({ configDir: FIXTURE, sessions: sharedA });
    const b = await buildConsoleApp({ configDir: FIXTURE, sessions: sharedB });
    try {
      copyFileSync(a.usersFile, b.usersFile); // one users file deployed to both instances
      const c = new ConsoleClient(a.app);
      await c.loginAs('supervisor');
      const elsewhere = c.copy(b.app);
      expect((await elsewhere.request('GET', '/console/api/closures')).statusCode).toBe(200);
      expect((await c.request('POST', '/console/api/logout')).statusCode).toBe(200);
      expect((await elsewhere.request('GET', '/console/api/closures')).statusCode).toBe(401);
      // Signing in again works (a new session under the new version).
      await c.session();
      await c.loginAs('supervisor');
      expect((await c.copy(b.app).request('GET', '/console/api/closures')).statusCode).toBe(200);
    } finally {
      await a.close();
      await b.close();
      await sharedA.close();
      await sharedB.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('names from outside', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('no closure for the non-schedule "%s"', async (name) => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    expect((await c.request('POST', '/console/api/closures', { schedule: name, until: '2h', reason: 'x' })).statusCode).toBe(400);
    expect((await c.request('DELETE', `/console/api/closures/${name}`)).statusCode).toBe(404);
    expect(await t.switches.closures()).toEqual([]);
  });
});

describe('CSRF rejections', () => {
  it('are audited', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    expect(
      (await c.request('POST', '/console/api/closures', { schedule: 'spa', until: '2h', reason: 'x' }, { csrf: 'forged' })).statusCode,
    ).toBe(403);
    expect(t.auditLines().filter((l) => l.action === 'csrf')).toEqual([
      expect.objectContaining({ who: 'sam.supervisor', result: 'denied', target: 'POST /console/api/closures' }),
    ]);
  });
});

describe('whole-line closure from the console', () => {
  const incoming = async () =>
    parseTwiml((await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid(), From: '+420603123456' })).body).verbs.map(verbName);

  it('a supervisor closes and reopens the line; new calls hear it and hang up meanwhile', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('supervisor');
    const close = await c.request('POST', '/console/api/closures', { schedule: 'line', until: '2h', reason: 'porucha ústředny' });
    expect(close.statusCode).toBe(200);
    expect(close.json()).toMatchObject({ closure: { schedule: 'line', until: '2026-11-25T11:00:00.000Z', reason: 'porucha ústředny' } });
    const list = (await c.request('GET', '/console/api/closures')).json() as { line: { reason: string } | null };
    expect(list.line).toMatchObject({ reason: 'porucha ústředny' });
    expect(await incoming()).toEqual(['Say', 'Say', 'Say', 'Hangup']);
    expect(t.auditLines().filter((l) => l.action === 'closure.set')).toEqual([expect.objectContaining({ target: 'line', result: 'ok' })]);
    const reopen = await c.request('DELETE', '/console/api/closures/line');
    expect(reopen.json()).toEqual({ removed: true });
    expect(await incoming()).toEqual(['Gather', 'Redirect']);
  });

  it('viewers and DPOs may not', async () => {
    for (const role of ['viewer', 'dpo'] as const) {
      const c = new ConsoleClient(t.app);
      await c.loginAs(role);
      expect((await c.request('POST', '/console/api/closures', { schedule: 'line', until: '2h', reason: 'x' })).statusCode).toBe(403);
    }
    expect(await t.switches.closures()).toEqual([]);
  });
});

describe('sign-in limits', () => {
  it('a rotating X-Forwarded-For does not get round the per-name limit', async () => {
    const limited = await buildConsoleApp({ configDir: FIXTURE, loginFailures: { max: 5, windowMs: 15 * 60_000, perIp: 50, perName: 8 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) {
        const c = new ConsoleClient(limited.app, `10.1.${i}.7`);
        statuses.push((await c.login('sam.supervisor', `wrong-password-${i}`)).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429]);
      // The right password from yet another address is refused too, until the window ends.
      const right = new ConsoleClient(limited.app, '10.2.0.1');
      expect((await right.login('sam.supervisor', 'supervisor-password-123')).statusCode).toBe(429);
      // Other names are not affected.
      await new ConsoleClient(limited.app, '10.2.0.2').loginAs('viewer');
    } finally {
      await limited.close();
    }
  });
});

describe('HSTS', () => {
  it('console answers carry Strict-Transport-Security behind https, and not otherwise', async () => {
    const https = await buildConsoleApp({ configDir: FIXTURE, secureCookies: true });
    try {
      const res = await https.app.inject({ method: 'GET', url: '/console/api/session' });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await https.close();
    }
    const plain = await t.app.inject({ method: 'GET', url: '/console/api/session' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });
});
