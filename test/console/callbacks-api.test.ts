// Console API for callback requests: supervisors list the open ones (numbers masked) and
// cancel one (CSRF-checked, audited); other roles are refused.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../src/console/plugin.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { ConsoleClient, SECRET, writeTestUsers } from './support.js';

let t: TestApp;
const ids: string[] = [];

beforeAll(async () => {
  t = await buildTestApp({
    callbacks: true,
    trustProxy: true,
    beforeReady: async ({ app, registry, consentLog, switches, dir, now, callbacks }) => {
      const usersFile = join(dir, 'users.yaml');
      await writeTestUsers(usersFile);
      await app.register(consolePlugin, {
        registry,
        consentLog,
        switches,
        callbacks,
        usersFile,
        sessionSecret: SECRET,
        auditLogPath: join(dir, 'audit.log'),
        now,
      });
    },
  });
  const base = { queue: 'insurance', route: 'insurance', lang: 'cs', from: '+420261105555' };
  for (const n of [1, 2]) {
    const { request } = await t.callbacks!.create({
      ...base,
      originCallSid: `CA${n}`,
      number: `+42060312345${n}`,
      at: `2026-11-25T08:0${n}:00.000Z`,
    });
    ids.push(request.id);
  }
});
afterAll(async () => {
  await t.close();
});

describe('/console/api/callbacks', () => {
  it('lists open requests for a supervisor, numbers masked', async () => {
    const sup = new ConsoleClient(t.app, '10.0.0.5');
    await sup.loginAs('supervisor');
    const res = await sup.request('GET', '/console/api/callbacks');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { total: number; rows: Record<string, unknown>[] };
    expect(body.total).toBe(2);
    expect(body.rows.map((r) => r.id)).toEqual(ids);
    expect(body.rows[0]).toMatchObject({ number: '+420603***451', status: 'pending', queue: 'insurance', attempts: 0 });
    expect(res.body).not.toContain('603123451');
  });

  it('cancels one with the CSRF token; without it, or as a viewer, nothing changes', async () => {
    const viewer = new ConsoleClient(t.app, '10.0.0.6');
    await viewer.loginAs('viewer');
    expect((await viewer.request('GET', '/console/api/callbacks')).statusCode).toBe(403);
    expect((await viewer.request('DELETE', `/console/api/callbacks/${ids[0]}`)).statusCode).toBe(403);
    const sup = new ConsoleClient(t.app, '10.0.0.7');
    await sup.loginAs('supervisor');
    expect((await sup.request('DELETE', `/console/api/callbacks/${ids[0]}`, undefined, { csrf: null })).statusCode).toBe(403);
    expect((await t.callbacks!.get(ids[0]!))?.status).toBe('pending');
    const ok = await sup.request('DELETE', `/console/api/callbacks/${ids[0]}`);
    expect(ok.statusCode).toBe(200);
    expect((await t.callbacks!.get(ids[0]!))?.status).toBe('cancelled');
    expect((await sup.request('DELETE', `/console/api/callbacks/${ids[0]}`)).statusCode).toBe(404);
    const left = (await sup.request('GET', '/console/api/callbacks')).json() as { rows: { id: string }[] };
    expect(left.rows.map((r) => r.id)).toEqual([ids[1]]);
  });
});
