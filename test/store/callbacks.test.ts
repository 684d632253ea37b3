// The CallbackStore contract against SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { PostgresCallbackStore } from '../../src/store/postgres-callback-store.js';
import { SqliteCallbackStore } from '../../src/store/sqlite-callback-store.js';
import { callbackStoreContract } from './callback.contract.js';
import { PG_URL, probePostgres, randomPrefix, requireService } from './services.js';

callbackStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-cb-'));
  const path = join(dir, 'cb.db');
  const store = new SqliteCallbackStore({ path });
  await store.migrate();
  return {
    store,
    async peer() {
      const p = new SqliteCallbackStore({ path });
      await p.migrate();
      return p;
    },
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const available = requireService(await probePostgres());
describe.runIf(available)('postgres', () => {
  callbackStoreContract('postgres', async () => {
    const tablePrefix = randomPrefix();
    const store = new PostgresCallbackStore({ connectionString: PG_URL, tablePrefix });
    await store.migrate();
    return {
      store,
      async peer() {
        const p = new PostgresCallbackStore({ connectionString: PG_URL, tablePrefix });
        await p.migrate();
        return p;
      },
      async cleanup() {
        await store.drop();
        await store.close();
      },
    };
  });
});
