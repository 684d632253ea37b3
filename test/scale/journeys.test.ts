// Issue 15 with several instances: two server processes on one PostgreSQL answer the scripted
// day's webhooks in turn (each step, the status callback included, on the other instance than
// the step before). The report from the CLI and the abandonment metrics summed over both
// instances equal the figures worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { probePostgres, requireService, waitFor } from '../store/services.js';
import { ensureBuilt } from '../reliability/service-process.js';
import { metricValue, runCli, startInstance, PUBLIC_URL, type Instance } from './support/instance.js';
import { createScaleDatabase, type ScaleDatabase } from './support/shared-services.js';
import { callHandle, EXPECTED_CLOCK_FREE, SCRIPT } from '../report/scripted-day.js';
import { newCallSid } from '../support/twilio.js';

const pgOk = requireService(await probePostgres());

describe.runIf(pgOk)('call journeys across two instances on one PostgreSQL', () => {
  let db: ScaleDatabase | undefined;
  let instances: Instance[] = [];
  let from = '';

  beforeAll(async () => {
    ensureBuilt();
    db = await createScaleDatabase();
    // No Redis: the switches live in PostgreSQL too; journeys need only the database.
    instances = await Promise.all([
      startInstance({ name: 'A', databaseUrl: db.url, redisUrl: '' }),
      startInstance({ name: 'B', databaseUrl: db.url, redisUrl: '' }),
    ]);
    from = new Date(Date.now() - 1000).toISOString();
    const line = { post: (call: number, step: number) => instances[(call + step) % 2]!.post };
    // The clock cannot be set in another process: the clock-bound calls (closed hours) stay out.
    for (const [i, call] of SCRIPT.filter((c) => c.clockBound !== true).entries()) {
      await call.play(callHandle(line, i, newCallSid(), call.at, PUBLIC_URL));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((i) => i.stop()));
    await db?.drop();
  }, 30_000);

  const report = async (): Promise<Report> => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const r = await runCli(['report', '--from', from, '--to', to, '--format', 'json'], { databaseUrl: db!.url, redisUrl: '' });
    if (r.code !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as Report;
  };

  it('report --format json equals the hand-computed figures', { timeout: 60_000 }, async () => {
    let last: Report | undefined;
    // The instances write their batches every 250 ms.
    await waitFor(
      async () => JSON.stringify((last = await report())) === JSON.stringify(EXPECTED_CLOCK_FREE),
      15_000,
      'the report to settle',
    ).catch(() => undefined);
    expect(last).toEqual(EXPECTED_CLOCK_FREE);
  });

  it('infoline_abandoned_calls_total summed over both instances: by node, never unknown', async () => {
    const texts = await Promise.all(instances.map((i) => i.metrics()));
    const sum = (node: string) => texts.reduce((n, t) => n + (metricValue(t, 'infoline_abandoned_calls_total', { node }) ?? 0), 0);
    const nodes = ['main', 'english_menu', 'insurance', 'payments', 'vitakarta', 'unknown', 'benefits', 'general'];
    expect(Object.fromEntries(nodes.map((n) => [n, sum(n)]))).toEqual({
      main: 1,
      english_menu: 1,
      insurance: 2,
      payments: 1,
      vitakarta: 1,
      unknown: 0,
      benefits: 0,
      general: 0,
    });
  });

  it('the journeys are in PostgreSQL, one table for both instances, without caller numbers', async () => {
    const rows = await db!.query<{ n: number; calls: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT call_sid)::int AS calls FROM journey_events',
    );
    expect(rows[0]!.calls).toBe(12);
    const leaked = await db!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM journey_events WHERE coalesce(detail, '') || node || coalesce(queue, '') LIKE '%603123456%'`,
    );
    expect(leaked[0]!.n).toBe(0);
  });
});
