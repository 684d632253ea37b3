import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { createPostgresPool, dropPostgresTables, PostgresConsentLog } from '../../src/store/postgres-consent-log.js';
import { PostgresConfigVersionStore } from '../../src/store/postgres-config-versions.js';
import { SqliteConfigVersionStore } from '../../src/store/sqlite-config-versions.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { configVersionContract } from './config-versions.contract.js';
import { PG_URL, probePostgres, randomPrefix, requireService } from './services.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

configVersionContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-versions-'));
  dirs.push(dir);
  const path = join(dir, 'infoline.db');
  const consents = new SqliteConsentLog({ path });
  await consents.migrate();
  const open = async () => {
    const s = new SqliteConfigVersionStore({ path });
    await s.migrate();
    return s;
  };
  const store = await open();
  return {
    store,
    consents,
    peer: open,
    cleanup: async () => {
      await store.close();
      await consents.close();
    },
  };
});

const available = requireService(await probePostgres());

describe.runIf(available)('postgres', () => {
  configVersionContract('postgres', async () => {
    const tablePrefix = randomPrefix();
    const consents = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix });
    await consents.migrate();
    const open = async () => {
      const s = new PostgresConfigVersionStore({ connectionString: PG_URL, tablePrefix });
      await s.migrate();
      return s;
    };
    const store = await open();
    return {
      store,
      consents,
      peer: open,
      cleanup: async () => {
        await store.dropTables();
        await store.close();
        await consents.close();
        const pool = createPostgresPool({ connectionString: PG_URL, poolMax: 1 });
        await dropPostgresTables(pool, tablePrefix).finally(() => pool.end());
      },
    };
  });
});
