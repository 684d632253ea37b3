// The periodic deletion of old webhook claims: a week back from the clock it is given, never
// throwing (a store outage is logged and retried at the next run).
import { describe, expect, it } from 'vitest';
import { CLAIM_RETENTION_DAYS, ClaimPruner } from '../../src/store/retention-pruner.js';
import { MemoryClaimStore } from '../../src/store/memory-claims.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const daysAgo = (days: number, ms = 0) => new Date(NOW - days * 86_400_000 - ms).toISOString();

describe('ClaimPruner', () => {
  it(`deletes the claims older than ${CLAIM_RETENTION_DAYS} days and keeps the rest`, async () => {
    const store = new MemoryClaimStore();
    await store.claim('recording:old', daysAgo(CLAIM_RETENTION_DAYS, 1));
    await store.claim('recording:edge', daysAgo(CLAIM_RETENTION_DAYS));
    await store.claim('recording:recent', daysAgo(1));
    const pruner = new ClaimPruner({ store, now: () => NOW });
    expect(await pruner.prune()).toBe(1);
    expect(await pruner.prune()).toBe(0);
    expect(await store.claim('recording:old', daysAgo(0))).toBe(true);
    expect(await store.claim('recording:edge', daysAgo(0))).toBe(false);
    expect(await store.claim('recording:recent', daysAgo(0))).toBe(false);
    await pruner.close();
    await store.claim('recording:later', daysAgo(30));
    expect(await pruner.prune()).toBe(0); // closed: nothing more
  });

  it('a store that fails is logged, not thrown; the next run tries again', async () => {
    const store = new MemoryClaimStore();
    const warnings: string[] = [];
    const logger = { info: () => undefined, error: () => undefined, warn: (_: object, msg?: string) => void warnings.push(msg ?? '') };
    let down = true;
    const flaky = Object.assign(Object.create(store) as MemoryClaimStore, {
      deleteBefore: (before: string) => (down ? Promise.reject(new Error('connection refused')) : store.deleteBefore(before)),
    });
    await store.claim('recording:old', daysAgo(30));
    const pruner = new ClaimPruner({ store: flaky, logger, now: () => NOW });
    expect(await pruner.prune()).toBe(0);
    expect(warnings).toEqual(['old webhook claims could not be deleted; retried later']);
    down = false;
    expect(await pruner.prune()).toBe(1);
    await pruner.close();
  });
});
