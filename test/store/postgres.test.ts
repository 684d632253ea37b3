import { describe, expect, it } from 'vitest';
import { PostgresConsentLog, createPostgresPool, dropPostgresTables } from '../../src/store/postgres-consent-log.js';
import { PostgresSwitchStore } from '../../src/store/postgres-switch-store.js';
import { consentLogContract, consentRecord } from './consent-log.contract.js';
import { PG_URL, probePostgres, randomPrefix, requireService } from './services.js';
import { closure, switchStoreContract } from './switch-store.contract.js';

const available = requireService(await probePostgres());

async function dropPrefix(prefix: string): Promise<void> {
  const pool = createPostgresPool({ connectionString: PG_URL, poolMax: 1 });
  try {
    await dropPostgresTables(pool, prefix);
  } finally {
    await pool.end();
  }
}

describe.runIf(available)('postgres adapters', () => {
  consentLogContract('postgres', async () => {
    const tablePrefix = randomPrefix();
    const log = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
    await log.migrate();
    return {
      log,
      reopen: async () => {
        const other = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
        await other.migrate();
        return other;
      },
      cleanup: async () => {
        await log.close();
        await dropPrefix(tablePrefix);
      },
    };
  });

  switchStoreContract('postgres', async () => {
    const tablePrefix = randomPrefix();
    const open = async (): Promise<PostgresSwitchStore> => {
      const s = new PostgresSwitchStore({ connectionString: PG_URL, tablePrefix, pollIntervalMs: 200 });
      await s.migrate();
      return s;
    };
    const store = await open();
    return {
      store,
      peer: open,
      cleanup: async () => {
        await store.close();
        await dropPrefix(tablePrefix);
      },
    };
  });

  describe('migrations', () => {
    it('two instances migrating the same prefix at once both succeed, versions recorded once', async () => {
      const tablePrefix = randomPrefix();
      const a = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
      const b = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
      const c = new PostgresSwitchStore({ connectionString: PG_URL, tablePrefix });
      try {
        await Promise.all([a.migrate(), b.migrate(), c.migrate(), a.migrate()]);
        const versions = await a.pool.query<{ version: number }>(`SELECT version FROM "${tablePrefix}schema_migrations" ORDER BY version`);
        expect(versions.rows.map((r) => r.version)).toEqual([1, 2]);
        await a.append(consentRecord(1));
        expect(await b.list()).toEqual([consentRecord(1)]);
      } finally {
        await a.dropTables();
        await Promise.all([a.close(), b.close(), c.close()]);
      }
    });

    it('rejects an unsafe table prefix', () => {
      expect(() => new PostgresConsentLog({ connectionString: PG_URL, tablePrefix: 'x"; DROP TABLE y; --' })).toThrow(/tablePrefix/);
    });

    it('check() throws before migration (no table) and when the server is unreachable', async () => {
      const log = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix: randomPrefix() });
      await expect(log.check()).rejects.toThrow();
      await log.close();
      const down = new PostgresConsentLog({
        connectionString: 'postgres://postgres@127.0.0.1:1/test',
        connectTimeoutMs: 500,
      });
      await expect(down.check()).rejects.toThrow();
      await down.close();
    });
  });

  describe('PostgresSwitchStore', () => {
    it('serves the last known closures while the database is unreachable', async () => {
      const tablePrefix = randomPrefix();
      const store = new PostgresSwitchStore({ connectionString: PG_URL, tablePrefix });
      await store.migrate();
      await store.setClosure(closure('general'));
      expect(await store.closures()).toEqual([closure('general')]);
      await store.dropTables(); // the next read fails like an outage would
      expect(await store.closures()).toEqual([closure('general')]);
      expect(store.health()).toEqual({ connected: false });
      await store.close();
    });
  });
});
