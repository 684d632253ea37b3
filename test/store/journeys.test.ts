// The journey store contract against SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { PostgresJourneyStore } from '../../src/store/postgres-journeys.js';
import { SqliteJourneyStore } from '../../src/store/sqlite-journeys.js';
import { journeyStoreContract } from './journeys.contract.js';
import { PG_URL, probePostgres, randomPrefix, requireService } from './services.js';

journeyStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-journeys-'));
  const path = join(dir, 'infoline.db');
  const open = async () => {
    const s = new SqliteJourneyStore({ path });
    await s.migrate();
    return s;
  };
  const store = await open();
  return {
    store,
    reopen: open,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const pgOk = requireService(await probePostgres());

describe.runIf(pgOk)('postgres', () => {
  journeyStoreContract('postgres', async () => {
    const tablePrefix = randomPrefix();
    const open = async () => {
      const s = new PostgresJourneyStore({ connectionString: PG_URL, tablePrefix });
      await s.migrate();
      return s;
    };
    const store = await open();
    return {
      store,
      reopen: open,
      cleanup: async () => {
        await store.dropTable();
        await store.close();
      },
    };
  });
});
