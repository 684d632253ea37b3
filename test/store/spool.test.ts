import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/open-stores.js';
import { PostgresConsentLog } from '../../src/store/postgres-consent-log.js';
import { SpoolingConsentLog } from '../../src/store/spooling-consent-log.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { consentLogContract, consentRecord } from './consent-log.contract.js';
import { PG_URL, REDIS_URL, probePostgres, probeRedis, randomPrefix, requireService, waitFor } from './services.js';
import { closure } from './switch-store.contract.js';

const available = requireService(await probePostgres());
const redisAvailable = (await probeRedis()).available;

const dirs: string[] = [];
function spoolPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-spool-'));
  dirs.push(dir);
  return join(dir, 'spool', 'consent-spool.db');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The same database as PG_URL, reached through a proxy port. */
function viaPort(port: number): string {
  const url = new URL(PG_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

describe.runIf(available)('SpoolingConsentLog', () => {
  consentLogContract('postgres+spool', async () => {
    const tablePrefix = randomPrefix();
    const path = spoolPath();
    const open = async (spool: string): Promise<SpoolingConsentLog> => {
      const log = new SpoolingConsentLog({
        primary: new PostgresConsentLog({ connectionString: PG_URL, tablePrefix }),
        spool: new SqliteConsentLog({ path: spool }),
      });
      await log.migrate();
      return log;
    };
    const log = await open(path);
    return {
      log,
      // Another instance: its own spool, the same primary.
      reopen: () => open(spoolPath()),
      cleanup: async () => {
        await log.close();
        const janitor = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
        await janitor.dropTables();
        await janitor.close();
      },
    };
  });

  describe('outages (PostgreSQL behind a TCP proxy that is cut)', () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    });

    async function setup(options: { replayIntervalMs?: number; spool?: string } = {}) {
      const proxy = new TcpProxy(Number(new URL(PG_URL).port || 5432), new URL(PG_URL).hostname);
      const port = await proxy.start();
      const tablePrefix = randomPrefix();
      const direct = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
      await direct.migrate();
      const path = options.spool ?? spoolPath();
      const open = (): SpoolingConsentLog =>
        new SpoolingConsentLog({
          primary: new PostgresConsentLog({
            connectionString: viaPort(port),
            tablePrefix,
            connectTimeoutMs: 500,
            queryTimeoutMs: 2000,
          }),
          spool: new SqliteConsentLog({ path }),
          primaryTimeoutMs: 1000,
          // Long by default so that tests drive replay through replayNow().
          replayIntervalMs: options.replayIntervalMs ?? 60_000,
        });
      const log = open();
      cleanups.push(async () => {
        await log.close();
        await proxy.close();
        await direct.dropTables();
        await direct.close();
      });
      return { proxy, direct, log, open, path, tablePrefix, port };
    }

    it('spools while cut, replays every row exactly once after restore', async () => {
      const { proxy, direct, log } = await setup();
      await log.migrate();
      const before = consentRecord(1);
      expect(await log.append(before)).toEqual({ inserted: true });
      expect(log.health()).toEqual({ degraded: false, spooled: 0 });

      await proxy.cut();
      const during = Array.from({ length: 20 }, (_, n) => consentRecord(100 + n));
      const results = await Promise.all(during.map((r) => log.append(r)));
      expect(results.every((r) => r.inserted && r.spooled === true)).toBe(true);
      // A retried webhook during the outage: deduplicated in the spool...
      expect(await log.append(during[0] ?? before)).toEqual({ inserted: false, spooled: true });
      // ...and a retry of a record the primary already has: spooled, deduplicated on replay.
      await log.append(before);
      expect(log.health()).toEqual({ degraded: true, spooled: 21 });
      await expect(log.check()).resolves.toBeUndefined(); // still ready: the spool is durable
      await expect(log.list()).rejects.toThrow(); // an export must not be silently partial
      await expect(log.replayNow()).rejects.toThrow();
      expect(log.health()).toEqual({ degraded: true, spooled: 21 });

      await proxy.restore();
      expect(await log.replayNow()).toBe(21);
      expect(log.health()).toEqual({ degraded: false, spooled: 0 });
      const stored = await direct.list();
      expect(stored).toHaveLength(21);
      expect(stored.map((r) => r.callSid).sort()).toEqual([before, ...during].map((r) => r.callSid).sort());
      expect(await log.list()).toEqual(stored);

      // Back to normal: appends go straight to the primary.
      await log.append(consentRecord(999));
      expect(log.health()).toEqual({ degraded: false, spooled: 0 });
      expect(await direct.list({ callSid: consentRecord(999).callSid })).toHaveLength(1);
    });

    it('a connection cut mid-burst loses no acknowledged append', async () => {
      const { proxy, direct, log } = await setup();
      await log.migrate();
      const records = Array.from({ length: 300 }, (_, n) => consentRecord(n));
      const pending = records.map((r) => log.append(r));
      await proxy.cut();
      await Promise.all(pending);
      await proxy.restore();
      // The replay may race the breaker's own retry: poll until the spool is empty.
      await waitFor(async () => (await log.replayNow(), log.health().spooled === 0), 10_000, 'spool drained');
      expect((await direct.list()).map((r) => r.callSid).sort()).toEqual(records.map((r) => r.callSid).sort());
    });

    it('starts with PostgreSQL down, then migrates and replays by itself', async () => {
      const { proxy, direct, log } = await setup({ replayIntervalMs: 100 });
      await proxy.cut();
      await log.migrate(); // does not throw: degraded start
      expect(log.health().degraded).toBe(true);
      await log.append(consentRecord(1));
      await log.append(consentRecord(2));
      expect(log.health()).toEqual({ degraded: true, spooled: 2 });
      await proxy.restore();
      await waitFor(() => !log.health().degraded && log.health().spooled === 0, 5000, 'auto replay');
      expect((await direct.list()).map((r) => r.callSid)).toEqual([1, 2].map((n) => consentRecord(n).callSid));
    });

    it('spooled rows survive a restart and are replayed by the next instance', async () => {
      const { proxy, direct, log, open } = await setup();
      await proxy.cut();
      await log.migrate();
      await log.append(consentRecord(5));
      await log.close();
      await proxy.restore();
      const next = open();
      cleanups.push(() => next.close());
      await next.migrate();
      expect(next.health().spooled).toBe(1);
      await next.replayNow();
      expect(next.health()).toEqual({ degraded: false, spooled: 0 });
      expect(await direct.list()).toEqual([consentRecord(5)]);
    });
  });

  describe('openStores with PostgreSQL', () => {
    it('starts degraded when PostgreSQL is unreachable and recovers', async () => {
      const proxy = new TcpProxy(Number(new URL(PG_URL).port || 5432), new URL(PG_URL).hostname);
      const port = await proxy.start();
      await proxy.cut();
      const tablePrefix = randomPrefix();
      const warnings: string[] = [];
      const logger = {
        warn: (_: object, msg?: string) => warnings.push(msg ?? ''),
        error: (_: object, msg?: string) => warnings.push(msg ?? ''),
        info: () => undefined,
      };
      const stores = await openStores({
        databaseUrl: viaPort(port),
        spoolPath: spoolPath(),
        tablePrefix,
        logger,
      });
      try {
        expect(stores.health()).toEqual({
          consentLog: { kind: 'postgres+spool', degraded: true, spooled: 0 },
          switches: { kind: 'postgres', connected: false },
        });
        expect(warnings.length).toBeGreaterThan(0);
        expect(await stores.consentLog.append(consentRecord(1))).toEqual({ inserted: true, spooled: true });
        expect(await stores.switches.closures()).toEqual([]);
        await proxy.restore();
        await waitFor(() => stores.health().consentLog.spooled === 0, 8000, 'replay');
        await stores.switches.setClosure(closure('general'));
        expect(await stores.switches.closures()).toEqual([closure('general')]);
        expect(stores.health()).toEqual({
          consentLog: { kind: 'postgres+spool', degraded: false, spooled: 0 },
          switches: { kind: 'postgres', connected: true },
        });
        expect(await stores.consentLog.list()).toEqual([consentRecord(1)]);
      } finally {
        await stores.close();
        await proxy.close();
        const janitor = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
        await janitor.dropTables();
        await janitor.close();
      }
    });

    it.runIf(redisAvailable)('uses Redis for switches when a Redis URL is given', async () => {
      const tablePrefix = randomPrefix();
      const redisPrefix = randomPrefix();
      const stores = await openStores({
        databaseUrl: PG_URL,
        redisUrl: REDIS_URL,
        spoolPath: spoolPath(),
        tablePrefix,
        redisPrefix,
      });
      try {
        expect(stores.health()).toEqual({
          consentLog: { kind: 'postgres+spool', degraded: false, spooled: 0 },
          switches: { kind: 'redis', connected: true },
        });
        await stores.switches.setClosure(closure('general'));
        expect(await stores.switches.clearClosure('general')).toBe(true);
      } finally {
        await stores.close();
        const janitor = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
        await janitor.dropTables();
        await janitor.close();
      }
    });
  });
});
