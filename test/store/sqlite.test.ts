import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStores, parseDatabaseUrl } from '../../src/store/open-stores.js';
import { SQLITE_SCHEMA_VERSION, SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { SqliteSwitchStore } from '../../src/store/sqlite-switch-store.js';
import { consentLogContract, consentRecord } from './consent-log.contract.js';
import { closure, switchStoreContract } from './switch-store.contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-sqlite-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

consentLogContract('sqlite', async () => {
  const path = join(tempDir(), 'consents.db');
  const log = new SqliteConsentLog({ path });
  await log.migrate();
  return {
    log,
    reopen: async () => {
      const other = new SqliteConsentLog({ path });
      await other.migrate();
      return other;
    },
    cleanup: () => log.close(),
  };
});

switchStoreContract('sqlite', async () => {
  const path = join(tempDir(), 'switches.db');
  const store = new SqliteSwitchStore({ path, pollIntervalMs: 100 });
  await store.migrate();
  return {
    store,
    peer: async () => {
      const other = new SqliteSwitchStore({ path, pollIntervalMs: 100 });
      await other.migrate();
      return other;
    },
    cleanup: () => store.close(),
  };
});

const CHILD = fileURLToPath(new URL('./fixtures/sqlite-child.ts', import.meta.url));

function runChild(args: string[]): { done: Promise<string>; kill(): void; onLine(cb: (line: string) => void): void } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const lineListeners: ((line: string) => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const cb of lineListeners) cb(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve(out);
      else reject(new Error(`child exited ${code ?? signal}: ${err}`));
    });
  });
  return { done, kill: () => child.kill('SIGKILL'), onLine: (cb) => lineListeners.push(cb) };
}

describe('SqliteConsentLog', () => {
  it('creates the parent directory and uses WAL with synchronous=FULL', async () => {
    const path = join(tempDir(), 'nested', 'deeper', 'infoline.db');
    const log = new SqliteConsentLog({ path });
    await log.migrate();
    expect(existsSync(path)).toBe(true);
    expect(log.settings()).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeoutMs: 5000 });
    await log.close();
  });

  it('records each schema version once, however often migrate() runs', async () => {
    const path = join(tempDir(), 'm.db');
    const log = new SqliteConsentLog({ path });
    await log.migrate();
    await log.migrate();
    await log.close();
    const db = new Database(path, { readonly: true });
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    db.close();
    expect(versions).toEqual(Array.from({ length: SQLITE_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
  });

  it('two handles migrating the same file at once both succeed', async () => {
    const path = join(tempDir(), 'race.db');
    const a = new SqliteConsentLog({ path });
    const b = new SqliteSwitchStore({ path });
    await Promise.all([a.migrate(), b.migrate()]);
    await a.append(consentRecord(1));
    await b.setClosure(closure('general'));
    expect(await a.list()).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('four processes migrating a fresh file at the same moment all succeed', async () => {
    const path = join(tempDir(), 'procs.db');
    const startAt = String(Date.now() + 1500);
    const outputs = await Promise.all(Array.from({ length: 4 }, () => runChild(['migrate', path, startAt]).done));
    expect(outputs.map((o) => o.trim())).toEqual(['migrated', 'migrated', 'migrated', 'migrated']);
    const db = new Database(path, { readonly: true });
    const count = db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
    db.close();
    expect(count.n).toBe(SQLITE_SCHEMA_VERSION);
  });

  it('group commit: a burst of appends shares few transactions', async () => {
    const log = new SqliteConsentLog({ path: join(tempDir(), 'burst.db'), maxBatch: 256 });
    await log.migrate();
    const results = await Promise.all(Array.from({ length: 1000 }, (_, n) => log.append(consentRecord(n))));
    expect(results.every((r) => r.inserted)).toBe(true);
    const { commits, appends } = log.stats();
    expect(appends).toBe(1000);
    expect(commits).toBeLessThanOrEqual(Math.ceil(1000 / 256) + 1);
    expect(log.count()).toBe(1000);
    await log.close();
  });

  it('every append acknowledged before a SIGKILL is in the file', async () => {
    const path = join(tempDir(), 'crash.db');
    const child = runChild(['append', path]);
    const acked: string[] = [];
    await new Promise<void>((resolve) => {
      child.onLine((line) => {
        if (!line.startsWith('ack ')) return;
        acked.push(line.slice(4));
        if (acked.length === 500) {
          child.kill();
          resolve();
        }
      });
    });
    await child.done;
    const log = new SqliteConsentLog({ path });
    await log.migrate();
    const stored = new Set((await log.list()).map((r) => r.callSid));
    await log.close();
    expect(acked.filter((sid) => !stored.has(sid))).toEqual([]);
  });

  it('check() throws when the file cannot be written (write lock held elsewhere)', async () => {
    const path = join(tempDir(), 'locked.db');
    const log = new SqliteConsentLog({ path, busyTimeoutMs: 50 });
    await log.migrate();
    await log.check();
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    try {
      await expect(log.check()).rejects.toThrow(/lock|busy/i);
      await expect(log.append(consentRecord(1))).rejects.toThrow(/lock|busy/i);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await log.check();
    expect(await log.append(consentRecord(1))).toEqual({ inserted: true });
    await log.close();
  });

  it('spool helpers peek, remove and count rows', async () => {
    const log = new SqliteConsentLog({ path: join(tempDir(), 'spool.db') });
    await log.migrate();
    for (const n of [3, 1, 2]) await log.append(consentRecord(n));
    expect(log.peek(2)).toEqual([consentRecord(1), consentRecord(2)]);
    expect(log.remove([consentRecord(1), consentRecord(9)])).toBe(1);
    expect(log.count()).toBe(2);
    await log.close();
  });
});

describe('SqliteSwitchStore', () => {
  it('a write by another handle (the CLI) is seen on the very next read', async () => {
    const path = join(tempDir(), 'cli.db');
    const server = new SqliteSwitchStore({ path });
    const cli = new SqliteSwitchStore({ path });
    await Promise.all([server.migrate(), cli.migrate()]);
    // Read (and remembered) before the other handle writes: the write must still be seen.
    expect(await server.closures()).toEqual([]);
    expect(await server.closures()).toEqual([]);
    await cli.setClosure(closure('general'));
    expect(await server.closures()).toEqual([closure('general')]);
    await cli.clearClosure('general');
    expect(await server.closures()).toEqual([]);
    // The server's own writes are seen at once too (data_version does not move for them).
    await server.setClosure(closure('spa'));
    expect(await server.closures()).toEqual([closure('spa')]);
    await server.clearClosure('spa');
    expect(await server.closures()).toEqual([]);
    await Promise.all([server.close(), cli.close()]);
  });
});

describe('openStores with SQLite', () => {
  it('parses database URLs', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ kind: 'sqlite', path: './data/infoline.db' });
    expect(parseDatabaseUrl('')).toEqual({ kind: 'sqlite', path: './data/infoline.db' });
    expect(parseDatabaseUrl('./x/y.db')).toEqual({ kind: 'sqlite', path: './x/y.db' });
    expect(parseDatabaseUrl('sqlite://./x.db')).toEqual({ kind: 'sqlite', path: './x.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/x.db')).toEqual({ kind: 'sqlite', path: '/var/lib/x.db' });
    expect(parseDatabaseUrl('file:data/x.db')).toEqual({ kind: 'sqlite', path: 'data/x.db' });
    expect(parseDatabaseUrl('file:///tmp/x.db')).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
    expect(parseDatabaseUrl('postgres://u@h/db')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u@h/db',
    });
    expect(parseDatabaseUrl('postgresql://u@h/db').kind).toBe('postgres');
    expect(() => parseDatabaseUrl('mysql://u@h/db')).toThrow(/unsupported/);
  });

  it('opens SQLite consents and switches in one file', async () => {
    const path = join(tempDir(), 'data', 'infoline.db');
    const stores = await openStores({ databaseUrl: `sqlite://${path}` });
    expect(stores.health()).toEqual({
      consentLog: { kind: 'sqlite', degraded: false, spooled: 0 },
      switches: { kind: 'sqlite', connected: true },
    });
    await stores.consentLog.append(consentRecord(1));
    await stores.switches.setClosure(closure('general'));
    await stores.close();
    await stores.close();
    const again = await openStores({ databaseUrl: path });
    expect(await again.consentLog.list()).toEqual([consentRecord(1)]);
    expect(await again.switches.closures()).toEqual([closure('general')]);
    await again.close();
  });
});
