// A consent names the notice the caller heard, on any instance and after any restart: every
// applied config version is kept in the consent database, and the notice hashes travel in the
// signed call state for the case where a version is found nowhere.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresPool, dropPostgresTables, PostgresConsentLog } from '../../src/store/postgres-consent-log.js';
import { PostgresConfigVersionStore } from '../../src/store/postgres-config-versions.js';
import type { ConfigVersionStore } from '../../src/store/config-version-port.js';
import type { ConsentLog } from '../../src/store/ports.js';
import { SqliteConfigVersionStore } from '../../src/store/sqlite-config-versions.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { attrs, parseTwiml, verbName } from '../../src/telephony/player.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import { buildTestApp, quietLogger, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { editFile } from '../cli/support.js';
import { fixtureConfig } from '../support/fixture-config.js';
import { PG_URL, probePostgres, randomPrefix, requireService } from '../store/services.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/config', import.meta.url));
const FROM = '+420603123456';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function configCopy(): string {
  const dir = tempDir('infoline-versions-config-');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

async function instance(configDir: string, consentLog: ConsentLog, versionStore?: ConfigVersionStore): Promise<TestApp> {
  const t = await buildTestApp({ configDir, consentLog, versionStore, now: '2026-11-25T09:00:00Z' });
  cleanups.push(() => t.close());
  await t.registry.persisted();
  return t;
}

/** The first answer's Gather action: the URL the caller's key press goes to. */
async function startCall(t: TestApp, callSid: string): Promise<string> {
  const res = await signedPost(t.app, '/voice/incoming', { CallSid: callSid, From: FROM });
  const gather = parseTwiml(res.body).verbs[0]!;
  expect(verbName(gather)).toBe('Gather');
  return attrs(gather).action!;
}

async function press(t: TestApp, url: string, callSid: string, digit: string) {
  const res = await signedPost(t.app, url, { CallSid: callSid, From: FROM, Digits: digit });
  expect(res.statusCode).toBe(200);
  return parseTwiml(res.body).verbs.map(verbName);
}

const changeNotice = (dir: string) =>
  editFile(dir, 'prompts/cs.yaml', 'Informace o zpracování osobních údajů.', 'Nové znění informace o zpracování osobních údajů.');

describe('a consent names the notice the caller heard', () => {
  it('after a restart with a changed notice, the call goes on on its own version (SQLite)', async () => {
    const dir = configCopy();
    const dbPath = join(tempDir('infoline-versions-db-'), 'infoline.db');
    const log = new SqliteConsentLog({ path: dbPath });
    const store = new SqliteConfigVersionStore({ path: dbPath });
    await store.migrate();
    const before = await instance(dir, log, store);
    const old = { flow: before.registry.current!.version, notice: before.registry.current!.notices.cs! };
    const callSid = newCallSid();
    const action = await startCall(before, callSid);

    // Restart: the notice text changes, a new process (new registry) on the same database.
    changeNotice(dir);
    const after = await instance(dir, new SqliteConsentLog({ path: dbPath }), new SqliteConfigVersionStore({ path: dbPath }));
    expect(after.registry.current!.notices.cs!.version).not.toBe(old.notice.version);
    expect(after.registry.forVersion(old.flow)?.version).not.toBe(old.flow); // not in this process's memory

    expect(await press(after, action, callSid, '1')).toContain('Enqueue');
    const [row] = await after.consentLog.list({ callSid });
    expect(row).toMatchObject({
      decision: 'granted',
      flowVersion: old.flow,
      noticeVersion: old.notice.version,
      noticeSha256: old.notice.sha256,
    });
    // The DPO can read exactly what that caller heard.
    expect((await store.notice(old.notice.version))?.text).toBe(before.registry.current!.speech.text('cs', 'consent.notice'));
  });

  it('a version found nowhere: the row still names the heard notice (signed state) and the call is connected', async () => {
    const dir = configCopy();
    const first = await instance(dir, new SqliteConsentLog({ path: join(tempDir('infoline-versions-db-'), 'a.db') }));
    const heard = first.registry.current!.notices.cs!;
    const callSid = newCallSid();
    const action = await startCall(first, callSid);
    expect(new URL(action).searchParams.get('nv')).toContain(`cs.${heard.sha256}`);

    changeNotice(dir);
    const other = await instance(dir, new SqliteConsentLog({ path: join(tempDir('infoline-versions-db-'), 'b.db') })); // no version store at all
    expect(await press(other, action, callSid, '1')).toContain('Enqueue');
    const [row] = await other.consentLog.list({ callSid });
    expect(row).toMatchObject({ decision: 'granted', noticeVersion: heard.version, noticeSha256: heard.sha256 });
    expect(row!.noticeVersion).not.toBe(other.registry.current!.notices.cs!.version);
  });

  it('a version found nowhere, then a turn on the current version: the consent still names the notice heard', async () => {
    const dir = configCopy();
    const first = await instance(dir, new SqliteConsentLog({ path: join(tempDir('infoline-versions-db-'), 'a.db') }));
    const heard = first.registry.current!.notices.cs!;
    const callSid = newCallSid();
    const action = await startCall(first, callSid);

    changeNotice(dir);
    const other = await instance(dir, new SqliteConsentLog({ path: join(tempDir('infoline-versions-db-'), 'b.db') }));
    // `*` repeats the menu on the current version: its URL names that version, and the notice heard.
    const repeat = await signedPost(other.app, action, { CallSid: callSid, From: FROM, Digits: '*' });
    const next = new URL(attrs(parseTwiml(repeat.body).verbs[0]!).action!);
    expect(next.searchParams.get('v')).toBe(other.registry.current!.version);
    expect(next.searchParams.get('nv')).toContain(`cs.${heard.sha256}`);
    expect(await press(other, next.toString(), callSid, '1')).toContain('Enqueue');
    const [row] = await other.consentLog.list({ callSid });
    expect(row).toMatchObject({ decision: 'granted', noticeVersion: heard.version, noticeSha256: heard.sha256 });
  });

  it('after caller identification too: the notice changed and the version unknown where the dialogue goes on', async () => {
    const dir = fixtureConfig('identify');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await instance(dir, new SqliteConsentLog({ path: join(tempDir('infoline-versions-db-'), 'a.db') }));
    const heard = first.registry.current!.notices.cs!;
    const callSid = newCallSid();
    let url = await startCall(first, callSid);

    // The rest of the call lands on an instance that only knows the edited config.
    changeNotice(dir);
    const other = await instance(dir, new SqliteConsentLog({ path: join(tempDir('infoline-versions-db-'), 'b.db') }));
    expect(other.registry.current!.notices.cs!.sha256).not.toBe(heard.sha256);
    // 1: insurance, identified; then the number, its confirmation and the date of birth.
    for (const digits of ['1', '6808215469', '1', '21081968']) {
      const res = await signedPost(other.app, url, { CallSid: callSid, From: FROM, Digits: digits });
      const verbs = parseTwiml(res.body).verbs;
      const gather = verbs.find((v) => verbName(v) === 'Gather');
      if (gather === undefined) {
        expect(verbs.map(verbName)).toContain('Enqueue');
        break;
      }
      url = attrs(gather).action!;
      expect(new URL(url).pathname).toBe('/voice/identify');
    }
    const [row] = await other.consentLog.list({ callSid });
    expect(row).toMatchObject({ decision: 'granted', route: 'insurance', noticeVersion: heard.version, noticeSha256: heard.sha256 });
  });

  it('a state whose notice hashes were altered is refused (they are covered by the signature)', async () => {
    const t = await instance(configCopy(), new SqliteConsentLog({ path: join(tempDir('infoline-versions-db-'), 'c.db') }));
    const callSid = newCallSid();
    const action = new URL(await startCall(t, callSid));
    const signed = action.href;
    action.searchParams.set('nv', `cs.${'0'.repeat(64)}`);
    const { getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks.js');
    const forged = await signedPost(
      t.app,
      action.href,
      { CallSid: callSid, From: FROM, Digits: '1' },
      { signature: getExpectedTwilioSignature('test-auth-token-0123456789abcdef', signed, { CallSid: callSid, From: FROM, Digits: '1' }) },
    );
    expect(forged.statusCode).toBe(403);
    expect(await t.consentLog.list({ callSid })).toEqual([]);
  });
});

describe('the registry and its version store', () => {
  it('a version pushed out of memory by many edits comes back from the store; a stored copy that does not hash to its version is not used', async () => {
    const dir = configCopy();
    const store = new SqliteConfigVersionStore({ path: join(tempDir('infoline-versions-db-'), 'r.db') });
    await store.migrate();
    cleanups.push(() => store.close());
    const registry = new ConfigRegistry({ dir, logger: quietLogger, keep: 2, versionStore: store });
    cleanups.push(() => registry.close());
    registry.start();
    const first = registry.current!;
    for (let i = 1; i <= 3; i++) {
      editFile(dir, 'prompts/cs.yaml', /greeting: .*/, `greeting: Dobrý den, úprava ${i}.`);
      expect(registry.reload().result).toBe('applied');
    }
    await registry.persisted();
    expect(registry.forVersion(first.version)?.version).not.toBe(first.version); // evicted from memory
    const back = await registry.resolve(first.version);
    expect(back?.version).toBe(first.version);
    expect(back?.notices.cs).toEqual(first.notices.cs);
    expect(back?.speech.text('cs', 'greeting')).toBe(first.speech.text('cs', 'greeting'));

    // Content-addressed: files stored under a version they do not hash to are refused.
    await store.put('0badc0ffee00', (await store.get(first.version))!, []);
    expect(await registry.resolve('0badc0ffee00')).toBeUndefined();
    expect(await registry.resolve('ffffffffffff')).toBeUndefined();
  });
});

const pgAvailable = requireService(await probePostgres());

describe.runIf(pgAvailable)('two instances on one PostgreSQL', () => {
  it("a call started on instance A and finished on instance B (which never applied A's version) names A's notice", async () => {
    const tablePrefix = randomPrefix();
    const open = async () => {
      const log = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
      await log.migrate();
      const store = new PostgresConfigVersionStore({ connectionString: PG_URL, tablePrefix });
      await store.migrate();
      cleanups.push(() => store.close());
      return { log, store };
    };
    cleanups.push(async () => {
      const pool = createPostgresPool({ connectionString: PG_URL, poolMax: 1 });
      await pool.query(`DROP TABLE IF EXISTS "${tablePrefix}config_versions", "${tablePrefix}consent_notices"`);
      await dropPostgresTables(pool, tablePrefix).finally(() => pool.end());
    });
    const dirA = configCopy();
    const dirB = configCopy();
    changeNotice(dirB); // B runs the next release already (a rolling deploy)
    const a = await open();
    const instanceA = await instance(dirA, a.log, a.store);
    const b = await open();
    const instanceB = await instance(dirB, b.log, b.store);
    const heard = instanceA.registry.current!.notices.cs!;
    expect(instanceB.registry.current!.notices.cs!.version).not.toBe(heard.version);

    const callSids = [newCallSid(), newCallSid()];
    const actions = await Promise.all(callSids.map((sid) => startCall(instanceA, sid)));
    // Both presses land on B at once: one load from the store serves both.
    await Promise.all(callSids.map(async (sid, i) => expect(await press(instanceB, actions[i]!, sid, '2')).toContain('Enqueue')));
    for (const callSid of callSids) {
      const [row] = await instanceA.consentLog.list({ callSid });
      expect(row).toMatchObject({
        flowVersion: instanceA.registry.current!.version,
        noticeVersion: heard.version,
        noticeSha256: heard.sha256,
      });
    }
    const notices = await b.store.notices();
    expect(notices.map((n) => n.version)).toEqual(expect.arrayContaining([heard.version, instanceB.registry.current!.notices.cs!.version]));
  });
});
