// Claims on every adapter: SQLite (one file, two connections), PostgreSQL (two pools on one
// database, isolated by a random table prefix), and the in-memory one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryClaimStore } from '../../src/store/memory-claims.js';
import { PostgresClaimStore } from '../../src/store/postgres-claims.js';
import { SqliteClaimStore } from '../../src/store/sqlite-claims.js';
import { claimStoreContract, TEST_DELETE_BATCH } from './claims.contract.js';
import { PG_URL, probePostgres, randomPrefix, requireService } from './services.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

claimStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-claims-'));
  dirs.push(dir);
  const path = join(dir, 'infoline.db');
  const open = async () => {
    const s = new SqliteClaimStore({ path, deleteBatch: TEST_DELETE_BATCH });
    await s.migrate();
    return s;
  };
  const store = await open();
  return { store, peer: open, cleanup: () => store.close() };
});

claimStoreContract('memory', async () => {
  const store = new MemoryClaimStore();
  // One process only: its "peer" is itself.
  return {
    store,
    peer: async () => ({
      kind: store.kind,
      migrate: () => store.migrate(),
      claim: (k, at) => store.claim(k, at),
      deleteBefore: (before) => store.deleteBefore(before),
      close: async () => {},
    }),
    cleanup: () => store.close(),
  };
});

const available = requireService(await probePostgres());
describe.runIf(available)('postgres claims', () => {
  claimStoreContract('postgres', async () => {
    const tablePrefix = randomPrefix();
    const open = async () => {
      const s = new PostgresClaimStore({ connectionString: PG_URL, tablePrefix, deleteBatch: TEST_DELETE_BATCH });
      await s.migrate();
      return s;
    };
    const store = await open();
    return {
      store,
      peer: open,
      cleanup: async () => {
        await store.dropTable();
        await store.close();
      },
    };
  });

  it('creates its table on the first claim when migrate() could not run at start (database down then)', async () => {
    const store = new PostgresClaimStore({ connectionString: PG_URL, tablePrefix: randomPrefix() });
    try {
      expect(await store.claim('recording:CA7', '2026-11-25T09:00:00Z')).toBe(true);
      expect(await store.claim('recording:CA7', '2026-11-25T09:00:00Z')).toBe(false);
    } finally {
      await store.dropTable();
      await store.close();
    }
  });
});
