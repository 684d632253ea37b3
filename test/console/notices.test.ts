// The DPO reads the exact text of every consent notice version a consent row names, with when
// consent rows first and last named it; only roles that may read consents; every read audited.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NoticeView } from '../../src/console/contracts/consents.js';
import { playCall } from '../../src/telephony/player.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { buildConsoleApp, ConsoleClient, USERS, type ConsoleTestApp } from './support.js';

const OLD_TEXT = 'Informace o zpracování osobních údajů (znění z roku 2024).';
const OLD = {
  version: 'a1b2c3d4e5f6',
  noticeId: 'consent.notice',
  language: 'cs',
  sha256: `a1b2c3d4e5f6${'0'.repeat(52)}`,
  text: OLD_TEXT,
};

describe('consent notices in the console', () => {
  let t: ConsoleTestApp;
  beforeEach(async () => {
    t = await buildConsoleApp({ now: '2026-11-25T09:00:00Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  const consentCall = async (digit: string) => {
    const callSid = newCallSid();
    await playCall({
      start: '/voice/incoming',
      params: { CallSid: callSid, From: '+420603123456' },
      presses: [digit],
      post: async (url, params) => {
        const r = await signedPost(t.app, url, params);
        return { status: r.statusCode, body: r.body };
      },
    });
    return callSid;
  };

  it('lists every stored notice version with its exact text and first/last use; one version by its id', async () => {
    // A notice from an earlier release, named by an old consent row.
    await t.configVersions.put('0123456789ab', new Map([['flows/infoline.yaml', 'old']]), [OLD]);
    await t.consentLog.append({
      callSid: newCallSid(),
      at: '2025-01-10T08:00:00.000Z',
      caller: '+420603***456',
      decision: 'granted',
      language: 'cs',
      route: 'general',
      noticeId: OLD.noticeId,
      noticeVersion: OLD.version,
      noticeSha256: OLD.sha256,
      flowVersion: '0123456789ab',
    });
    const callSid = await consentCall('1');
    const [row] = await t.consentLog.list({ callSid });
    const current = t.registry.current!;

    const dpo = new ConsoleClient(t.app);
    await dpo.loginAs('dpo');
    const res = await dpo.request('GET', '/console/api/notices');
    expect(res.statusCode).toBe(200);
    const { notices } = res.json() as { notices: NoticeView[] };
    const byVersion = new Map(notices.map((n) => [n.version, n]));
    expect(byVersion.get(OLD.version)).toEqual({ ...OLD, firstUsed: '2025-01-10T08:00:00.000Z', lastUsed: '2025-01-10T08:00:00.000Z' });
    expect(byVersion.get(row!.noticeVersion)).toEqual({
      version: row!.noticeVersion,
      noticeId: 'consent.notice',
      language: 'cs',
      sha256: row!.noticeSha256,
      text: current.speech.text('cs', 'consent.notice'),
      firstUsed: row!.at,
      lastUsed: row!.at,
    });
    expect(byVersion.get(current.notices.en!.version)).toMatchObject({ language: 'en', firstUsed: null, lastUsed: null });

    const one = await dpo.request('GET', `/console/api/notices/${OLD.version}`);
    expect(one.statusCode).toBe(200);
    expect((one.json() as NoticeView).text).toBe(OLD_TEXT);
    expect((await dpo.request('GET', '/console/api/notices/ffffffffffff')).statusCode).toBe(404);
    expect((await dpo.request('GET', '/console/api/notices/..%2F..%2Fetc')).statusCode).toBe(400);

    const reads = t.auditLines().filter((l) => l.action === 'notices.read');
    expect(reads.map((l) => [l.who, l.target, l.result])).toEqual([
      [USERS.dpo.name, 'all', 'ok'],
      [USERS.dpo.name, OLD.version, 'ok'],
      [USERS.dpo.name, 'ffffffffffff', 'failed'],
    ]);
  });

  it('is for whoever may read consents: a viewer and a supervisor get 403, no session 401', async () => {
    expect((await new ConsoleClient(t.app).request('GET', '/console/api/notices')).statusCode).toBe(401);
    for (const role of ['viewer', 'supervisor'] as const) {
      const c = new ConsoleClient(t.app, `10.0.0.${role.length}`);
      await c.loginAs(role);
      expect((await c.request('GET', '/console/api/notices')).statusCode).toBe(403);
      expect((await c.request('GET', `/console/api/notices/${t.registry.current!.notices.cs!.version}`)).statusCode).toBe(403);
    }
  });
});
