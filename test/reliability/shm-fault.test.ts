// Issue 19.8: the SQLite -shm file truncated or made read-only while the service runs used to
// kill the process with SIGBUS on the next webhook. Callers must still reach a person and
// /readyz must say why. Run in a child process: a regression would kill the test worker.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTwiml, verbName } from '../../src/telephony/player.js';

const CHILD = fileURLToPath(new URL('./fixtures/shm-child.ts', import.meta.url));

describe('the database -shm file truncated while running', { timeout: 60_000 }, () => {
  it('does not crash: the caller is connected to a person and /readyz says why', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', CHILD], { encoding: 'utf8', timeout: 50_000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      before: { kind: string };
      first: { status: number; body: string };
      press: { status: number; body: string };
      ready: { status: number; body: { reasons: string[]; consentLog: { writable: boolean; error: string } } };
    };
    expect(out.before.kind).toBe('queue');
    expect(out.first.status).toBe(200);
    expect(parseTwiml(out.first.body).verbs.map(verbName)).toEqual(['Gather', 'Redirect']);
    expect(out.press.status).toBe(200);
    expect(parseTwiml(out.press.body).verbs.map(verbName)).toContain('Enqueue');
    expect(out.ready.status).toBe(503);
    expect(out.ready.body.consentLog.writable).toBe(false);
    expect(out.ready.body.reasons.join(' ')).toMatch(/-shm shrank from \d+ to 0 bytes while in use/);
  });
});
