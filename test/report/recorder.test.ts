// The batched journey writer: off the answer's path, bounded while the store is down,
// retention that deletes journeys and never a consent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { JourneyEvent } from '../../src/report/journey.js';
import { JourneyRecorder } from '../../src/store/journey-recorder.js';
import { PostgresJourneyStore } from '../../src/store/postgres-journeys.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { SqliteJourneyStore } from '../../src/store/sqlite-journeys.js';
import { readEnv, EnvError } from '../../src/main.js';
import { parseTwiml, verbName } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { consentRecord } from '../store/consent-log.contract.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-recorder-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'infoline.db');
}

/** A PostgreSQL that is not there: nothing listens on port 1. */
function deadStore(): PostgresJourneyStore {
  const store = new PostgresJourneyStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
  cleanups.push(() => store.close());
  return store;
}

const event = (n: number, at = '2026-11-30T08:00:00.000Z'): JourneyEvent => ({
  callSid: `CA${n.toString(16).padStart(32, '0')}`,
  at,
  node: 'main',
  kind: 'start',
});

async function metric(registry: Registry, name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values[0]?.value ?? 0;
}

describe('JourneyRecorder', () => {
  it('writes batches in order and keeps nothing once flushed', async () => {
    const store = new SqliteJourneyStore({ path: tempDb() });
    await store.migrate();
    cleanups.push(() => store.close());
    const recorder = new JourneyRecorder({ store, maxBatch: 7, retentionDays: 0 });
    cleanups.push(() => recorder.close());
    const events = Array.from({ length: 20 }, (_, i) => ({ ...event(1), kind: (i === 0 ? 'start' : 'noInput') as JourneyEvent['kind'] }));
    recorder.record(events);
    await recorder.flush();
    expect(recorder.buffered).toBe(0);
    expect(await store.call(event(1).callSid)).toEqual(events);
  });

  it('a store outage keeps the newest events up to the bound and counts the dropped ones', async () => {
    const registry = new Registry();
    const recorder = new JourneyRecorder({ store: deadStore(), maxBuffer: 100, maxBatch: 30, registry, retentionDays: 0 });
    cleanups.push(() => recorder.close());
    for (let i = 0; i < 250; i++) recorder.record([event(i)]);
    await recorder.flush();
    expect(recorder.buffered).toBe(100);
    expect(await metric(registry, 'infoline_journey_events_dropped_total')).toBe(150);
    expect(await metric(registry, 'infoline_journey_write_failures_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(registry, 'infoline_journey_buffered_events')).toBe(100);
  });

  it('retention deletes journeys older than JOURNEY_RETENTION_DAYS and leaves every consent', async () => {
    const path = tempDb();
    const consents = new SqliteConsentLog({ path });
    await consents.migrate();
    const store = new SqliteJourneyStore({ path });
    await store.migrate();
    cleanups.push(
      () => consents.close(),
      () => store.close(),
    );
    const now = Date.parse('2026-11-30T12:00:00Z');
    const old = consentRecord(1, { at: '2026-06-01T08:00:00.000Z' });
    await consents.append(old);
    await store.append([event(1, '2026-06-01T08:00:00.000Z'), event(2, '2026-09-01T12:00:00.000Z'), event(3, '2026-09-02T12:00:00.000Z')]);
    const recorder = new JourneyRecorder({ store, retentionDays: 90, now: () => now });
    cleanups.push(() => recorder.close());
    // 90 days before 2026-11-30T12:00Z is 2026-09-01T12:00Z: older events go, that one stays.
    expect(await recorder.prune()).toBe(1);
    expect(await store.call(event(1).callSid)).toEqual([]);
    expect(await store.call(event(2).callSid)).toHaveLength(1);
    expect(await consents.list()).toEqual([old]);
  });

  it('JOURNEY_RETENTION_DAYS: 90 by default, a whole number, refused otherwise', () => {
    expect(readEnv({}).journeyRetentionDays).toBe(90);
    expect(readEnv({ JOURNEY_RETENTION_DAYS: '30' }).journeyRetentionDays).toBe(30);
    expect(() => readEnv({ JOURNEY_RETENTION_DAYS: 'forever' })).toThrow(EnvError);
    expect(() => readEnv({ JOURNEY_RETENTION_DAYS: '-1' })).toThrow(/JOURNEY_RETENTION_DAYS/);
  });
});

describe('a journey store outage never reaches the caller', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('calls are answered as usual while every journey write fails', async () => {
    t = await buildTestApp({ journeyStore: deadStore() });
    const call = await t.call('1');
    expect(call.end).toMatchObject({ kind: 'queue', queue: 'ozp-insurance' });
    const declined = await t.call('0');
    expect(declined.end.kind).toBe('hangup');
    const last = parseTwiml(declined.steps.at(-1)!.twiml).verbs.map(verbName);
    expect(last.at(-1)).toBe('Hangup');
    expect(t.journal.buffered).toBeGreaterThan(0);
  });
});
