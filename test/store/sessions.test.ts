// The console session-version store on every backend (issue 19.5: logout ends the session on
// every instance).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MemorySessionStore } from '../../src/store/memory-sessions.js';
import { PostgresSessionStore } from '../../src/store/postgres-sessions.js';
import { RedisSessionStore } from '../../src/store/redis-sessions.js';
import { SqliteSessionStore } from '../../src/store/sqlite-sessions.js';
import { PG_URL, probePostgres, probeRedis, randomPrefix, REDIS_URL, requireService } from './services.js';
import { sessionStoreContract } from './session-store.contract.js';

sessionStoreContract(
  'memory',
  async () => ({ store: new MemorySessionStore(), peer: async () => new MemorySessionStore(), cleanup: async () => {} }),
  { shared: false },
);

sessionStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-sessions-'));
  const path = join(dir, 'infoline.db');
  const store = new SqliteSessionStore({ path });
  await store.migrate();
  return {
    store,
    peer: async () => {
      const other = new SqliteSessionStore({ path });
      await other.migrate();
      return other;
    },
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

if (requireService(await probePostgres())) {
  sessionStoreContract('postgres', async () => {
    const tablePrefix = randomPrefix();
    const store = new PostgresSessionStore({ connectionString: PG_URL, tablePrefix });
    await store.migrate();
    return {
      store,
      peer: async () => {
        const other = new PostgresSessionStore({ connectionString: PG_URL, tablePrefix });
        await other.migrate();
        return other;
      },
      cleanup: async () => {
        await store.drop();
        await store.close();
      },
    };
  });
}

if (requireService(await probeRedis())) {
  sessionStoreContract('redis', async () => {
    const prefix = `infoline-test:${randomPrefix()}`;
    const store = new RedisSessionStore({ url: REDIS_URL, prefix });
    await store.migrate();
    return {
      store,
      peer: async () => {
        const other = new RedisSessionStore({ url: REDIS_URL, prefix });
        await other.migrate();
        return other;
      },
      cleanup: async () => {
        const admin = new Redis(REDIS_URL);
        await admin.del(store.hashKey);
        admin.disconnect();
        await store.close();
      },
    };
  });
}
