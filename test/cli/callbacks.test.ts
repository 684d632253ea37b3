// `infoline callbacks` and `infoline callbacks cancel <id>` (the compiled binary) on a SQLite
// store seeded through the adapter: rows only on stdout, numbers masked, statuses filtered.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteCallbackStore } from '../../src/store/sqlite-callback-store.js';
import { cli, STACK, tempDir } from './support.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

let dbPath: string;
const ids: Record<string, string> = {};
const env = () => ({ DATABASE_URL: dbPath, INFOLINE_CONFIG_DIR: FROZEN_CONFIG });

beforeAll(async () => {
  dbPath = join(tempDir(), 'infoline.db');
  const store = new SqliteCallbackStore({ path: dbPath });
  await store.migrate();
  const base = { queue: 'insurance', route: 'insurance', lang: 'cs', from: '+420261105555' };
  for (const [name, minute] of [
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ] as const) {
    const { request } = await store.create({
      ...base,
      originCallSid: `CA${name}`,
      number: `+42060312345${minute}`,
      at: `2026-11-25T09:0${minute}:00.000Z`,
    });
    ids[name] = request.id;
  }
  await store.cancel(ids.a!);
  await store.cancel(ids.c!);
  await store
    .create({ ...base, originCallSid: 'CAc2', number: '+420603123453', at: '2026-11-25T09:04:00.000Z' })
    .then((r) => (ids.c = r.request.id));
  await store.close();
}, 120_000);

describe('infoline callbacks', () => {
  it('lists pending requests as JSON lines with the fields of the contract, numbers masked', async () => {
    const r = await cli(['callbacks'], env());
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.id)).toEqual([ids.b, ids.c]);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'requestedAt', 'queue', 'number', 'status', 'attempts', 'nextAttemptAt']);
    expect(rows[0]).toEqual({
      id: ids.b,
      requestedAt: '2026-11-25T09:02:00.000Z',
      queue: 'insurance',
      number: '+420603***452',
      status: 'pending',
      attempts: 0,
      nextAttemptAt: '2026-11-25T09:02:00.000Z',
    });
    expect(r.stdout).not.toMatch(/603123/);
  }, 120_000);

  it('filters by status and prints CSV', async () => {
    const r = await cli(['callbacks', '--status', 'cancelled', '--format', 'csv'], env());
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('id,requestedAt,queue,number,status,attempts,nextAttemptAt');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`${ids.a},2026-11-25T09:01:00.000Z,insurance,+420603***451,cancelled,0,`);
    expect(lines[2]).toMatch(/,\+420603\*\*\*453,cancelled,0,$/);
    const all = await cli(['callbacks', '--status', 'all'], env());
    expect(all.stdout.trim().split('\n')).toHaveLength(4);
  }, 120_000);

  it('cancel <id> cancels an open request; an unknown or closed one exits 1 without a stack trace', async () => {
    const ok = await cli(['callbacks', 'cancel', ids.b!], env());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    const again = await cli(['callbacks', 'cancel', ids.b!], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^infoline: no open callback request/);
    expect(again.stderr).not.toMatch(STACK);
    const pending = await cli(['callbacks'], env());
    expect(
      pending.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual([ids.c]);
    const bad = await cli(['callbacks', '--status', 'nope'], env());
    expect(bad.code).toBe(2);
  }, 120_000);
});
