// Crash durability: the built service (node dist/server.js, SQLite consent log) answers a
// burst of consenting calls; it is SIGKILLed mid-burst and restarted on the same file. Every
// consent whose connecting TwiML (<Enqueue>) reached the caller must be in the log — read back
// with `infoline consent export` and directly with SqliteConsentLog.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { attrs, parseTwiml, verbName } from '../../src/telephony/player.js';
import { ensureBuilt, freePort, ROOT, startService, stopService, waitUntil, type ServiceProcess } from './service-process.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const CONCURRENCY = 48;
/** Acknowledged consents before the kill: enough that the kill lands inside a busy burst. */
const KILL_AFTER = 300;

let dir: string;
let dbPath: string;
const running: ServiceProcess[] = [];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'infoline-crash-'));
  dbPath = join(dir, 'infoline.db');
}, 180_000);

afterAll(async () => {
  for (const s of running) await stopService(s, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<ServiceProcess> {
  const s = startService({ DATABASE_URL: dbPath, LOG_LEVEL: 'error', INFOLINE_CONFIG_DIR: FROZEN_CONFIG }, await freePort());
  running.push(s);
  await waitUntil(s, async () => (await fetch(`${s.base}/healthz`)).ok);
  return s;
}

let sidCounter = 0;
const newSid = () => `CA${(++sidCounter).toString(16).padStart(32, '0')}`;

async function post(url: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body}`);
  return body;
}

/** One consenting call; resolves with whether the caller received the connecting TwiML. */
async function consentingCall(base: string, callSid: string): Promise<'connected' | 'unanswered'> {
  try {
    const first = await post(`${base}/voice/incoming`, { CallSid: callSid, From: '+420603123456' });
    const gather = parseTwiml(first).verbs.find((v) => verbName(v) === 'Gather');
    const action = gather ? attrs(gather).action : undefined;
    if (action === undefined) throw new Error(`no menu in ${first}`);
    const second = await post(action, { CallSid: callSid, From: '+420603123456', Digits: '1' });
    const verbs = parseTwiml(second).verbs.map(verbName);
    if (!verbs.includes('Enqueue')) throw new Error(`no Enqueue in ${second}`);
    return 'connected';
  } catch (err) {
    // The server was killed under this request: the caller never heard the connecting TwiML.
    if (err instanceof TypeError || (err instanceof Error && /fetch failed|ECONNRESET|ECONNREFUSED|socket/i.test(err.message)))
      return 'unanswered';
    throw err;
  }
}

describe('SIGKILL in the middle of a burst of consenting calls', () => {
  it('loses no consent whose <Enqueue> reached the caller, and the service restarts on the same file', async () => {
    const first = await start();
    const connected = new Set<string>();
    const attempted = new Set<string>();
    let killed = false;
    let killedAt = -1;
    const worker = async () => {
      while (!killed) {
        const sid = newSid();
        attempted.add(sid);
        const r = await consentingCall(first.base, sid);
        if (r === 'connected') connected.add(sid);
        if (!killed && connected.size >= KILL_AFTER) {
          killed = true;
          killedAt = connected.size;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    // Some calls were in flight when the process died (otherwise the kill was not "mid-burst").
    expect(attempted.size).toBeGreaterThan(connected.size);
    expect(killedAt).toBeGreaterThanOrEqual(KILL_AFTER);

    // Restart on the same database: it answers and takes new consents.
    const second = await start();
    const after = newSid();
    expect(await consentingCall(second.base, after)).toBe('connected');
    connected.add(after);
    await stopService(second, 'SIGTERM');
    expect((await second.exited).code).toBe(0);

    // Read back through the CLI, the way the data-protection officer would.
    const cli = join(ROOT, 'dist/cli/main.js');
    if (existsSync(cli)) {
      const r = spawnSync('npm', ['run', '-s', 'cli', '--', 'consent', 'export', '--format', 'jsonl'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: dbPath, INFOLINE_CONFIG_DIR: FROZEN_CONFIG },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(r.status, r.stderr).toBe(0);
      const exported = new Set(
        r.stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { callSid: string; decision: string })
          .filter((row) => row.decision === 'granted')
          .map((row) => row.callSid),
      );
      const missing = [...connected].filter((sid) => !exported.has(sid));
      expect(missing, `${missing.length} acknowledged consents missing from consent export`).toEqual([]);
    }

    const log = new SqliteConsentLog({ path: dbPath });
    try {
      const rows = await log.list({ decision: 'granted' });
      const stored = new Set(rows.map((r) => r.callSid));
      const missing = [...connected].filter((sid) => !stored.has(sid));
      expect(missing, `${missing.length} of ${connected.size} acknowledged consents lost`).toEqual([]);
      // Nothing is invented: every row belongs to a call that was made, once.
      expect(rows.every((r) => attempted.has(r.callSid) || r.callSid === after)).toBe(true);
      expect(stored.size).toBe(rows.length);
    } finally {
      await log.close();
    }
  }, 60_000);
});
