// Issue 19 through the real CLI binary: parallel `user add` keeps every user, `user add`
// writes the file the server reads, `close line` / `reopen line`, and every CLI write is
// audited first (an unwritable audit log changes nothing).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsersStore } from '../../src/console/users.js';
import { SqliteSessionStore } from '../../src/store/sqlite-sessions.js';
import { SqliteSwitchStore } from '../../src/store/sqlite-switch-store.js';
import { builtCli, cli, copyDefaultConfig, tempDir } from './support.js';

const dirs: string[] = [];
const fresh = (prefix?: string) => {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `infoline <args>` with the password on stdin (not a terminal). */
async function withStdin(
  args: string[],
  stdin: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const main = await builtCli();
  return new Promise((resolve, reject) => {
    const child = spawn('node', [main, ...args], {
      env: { ...process.env, LOG_LEVEL: undefined, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(`${stdin}\n`);
  });
}

const auditLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('infoline user add', { timeout: 120_000 }, () => {
  it('6 runs in parallel keep all 6 users', async () => {
    const config = copyDefaultConfig();
    dirs.push(config);
    const work = fresh();
    const env = { INFOLINE_CONFIG_DIR: config, DATABASE_URL: join(work, 'infoline.db'), CONSOLE_AUDIT_LOG: join(work, 'audit.log') };
    const names = ['anna', 'bara', 'cyril', 'dana', 'emil', 'filip'];
    const runs = await Promise.all(names.map((n) => withStdin(['user', 'add', n, '--role', 'viewer'], 'a-long-enough-password', env)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const users = new UsersStore(join(config, 'config', 'users.yaml')).users();
    expect([...users.keys()].sort()).toEqual(names);
    expect(
      auditLines(env.CONSOLE_AUDIT_LOG)
        .filter((l) => l.action === 'user.add')
        .map((l) => l.target)
        .sort(),
    ).toEqual(names);
  });

  it('writes CONSOLE_USERS_FILE when it is set (the file the server reads)', async () => {
    const config = copyDefaultConfig();
    dirs.push(config);
    const work = fresh();
    const usersFile = join(work, 'elsewhere', 'users.yaml');
    const env = {
      INFOLINE_CONFIG_DIR: config,
      CONSOLE_USERS_FILE: usersFile,
      DATABASE_URL: join(work, 'infoline.db'),
      CONSOLE_AUDIT_LOG: join(work, 'audit.log'),
    };
    const r = await withStdin(['user', 'add', 'jana', '--role', 'supervisor'], 'a-long-enough-password', env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`added console user jana (role supervisor) in ${usersFile}\n`);
    expect(new UsersStore(usersFile).get('jana')?.role).toBe('supervisor');
    expect(existsSync(join(config, 'config', 'users.yaml'))).toBe(false);
  });

  it('a role change and user remove end the sessions in the shared store', async () => {
    const work = fresh();
    const env = {
      CONSOLE_USERS_FILE: join(work, 'users.yaml'),
      DATABASE_URL: join(work, 'infoline.db'),
      CONSOLE_AUDIT_LOG: join(work, 'audit.log'),
    };
    expect((await withStdin(['user', 'add', 'jana', '--role', 'supervisor'], 'a-long-enough-password', env)).code).toBe(0);
    expect((await withStdin(['user', 'add', 'jana', '--role', 'viewer'], 'a-long-enough-password', env)).code).toBe(0);
    const removed = await cli(['user', 'remove', 'jana'], env);
    expect(removed.stdout).toBe(`removed console user jana from ${env.CONSOLE_USERS_FILE}\n`);
    const sessions = new SqliteSessionStore({ path: env.DATABASE_URL });
    try {
      expect(await sessions.version('jana')).toBe(2);
    } finally {
      await sessions.close();
    }
    expect(auditLines(env.CONSOLE_AUDIT_LOG).map((l) => l.action)).toEqual(['user.add', 'user.add', 'user.remove']);
  });
});

describe('infoline close line / reopen line', { timeout: 90_000 }, () => {
  it('closes and reopens the whole line, audited', async () => {
    const work = fresh();
    const env = { DATABASE_URL: join(work, 'infoline.db'), CONSOLE_AUDIT_LOG: join(work, 'audit.log') };
    const closed = await cli(['close', 'line', '--until', '2099-01-01T00:00:00Z', '--reason', 'porucha ústředny'], env);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout).toBe('closed line until 2099-01-01T00:00:00.000Z (2099-01-01 01:00 Europe/Prague): porucha ústředny\n');
    const store = new SqliteSwitchStore({ path: env.DATABASE_URL });
    try {
      expect(await store.closures()).toEqual([expect.objectContaining({ schedule: 'line', reason: 'porucha ústředny' })]);
      const reopened = await cli(['reopen', 'line'], env);
      expect(reopened.stdout).toBe('reopened line: emergency closure removed\n');
      expect(await store.closures()).toEqual([]);
    } finally {
      await store.close();
    }
    expect(auditLines(env.CONSOLE_AUDIT_LOG)).toEqual([
      expect.objectContaining({
        action: 'closure.set',
        target: 'line',
        result: 'ok',
        details: { until: '2099-01-01T00:00:00.000Z', reason: 'porucha ústředny' },
      }),
      expect.objectContaining({ action: 'closure.clear', target: 'line', result: 'ok' }),
    ]);
  });

  it('an unwritable audit log changes nothing', async () => {
    const work = fresh();
    const audit = join(work, 'audit.log');
    mkdirSync(audit); // a directory: cannot be appended to, not even by root
    const env = { DATABASE_URL: join(work, 'infoline.db'), CONSOLE_AUDIT_LOG: audit };
    const r = await cli(['close', 'line', '--until', '2h', '--reason', 'x'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot write the audit log ${audit}`);
    const store = new SqliteSwitchStore({ path: env.DATABASE_URL });
    try {
      await store.migrate();
      expect(await store.closures()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it.each(['constructor', '__proto__', 'toString'])('refuses the non-schedule "%s"', async (name) => {
    const work = fresh();
    const r = await cli(['close', name, '--until', '2h', '--reason', 'x'], {
      DATABASE_URL: join(work, 'infoline.db'),
      CONSOLE_AUDIT_LOG: join(work, 'audit.log'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`infoline: no schedule "${name}" in config/hours.yaml (known: spa, callbacks)\n`);
  });
});
