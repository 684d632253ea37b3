// Issue 6: two service instances (separate processes, different ports, one PostgreSQL, one
// Redis) answer one call's webhooks in turn, as a load balancer without sticky sessions
// would send them. Every call must end where it should, and PostgreSQL must hold every
// consent exactly once even when menu webhooks are retried on both instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTwiml, verbName } from '../../src/telephony/player.js';
import { probePostgres, probeRedis, requireService, waitFor } from '../store/services.js';
import { ensureBuilt } from '../reliability/service-process.js';
import { CALLER, playAcross, SCENARIOS, spoken, type RoutedCall } from './support/calls.js';
import { metricValue, runCli, startInstance, type Instance } from './support/instance.js';
import { claimRedisDatabase, createScaleDatabase, type ScaleDatabase, type ScaleRedis } from './support/shared-services.js';

const pgOk = requireService(await probePostgres());
const redisOk = requireService(await probeRedis());

const CALLS = 30;
const CLOSURE_REASON = 'porucha telefonní ústředny (test)';
const EMERGENCY_TEXT = `Oddělení je mimořádně uzavřeno: ${CLOSURE_REASON}.`;

interface ConsentRow {
  call_sid: string;
  decision: string;
  n: number;
  caller: string;
  route: string;
  language: string;
  flow_version: string;
  notice_sha256: string;
}

describe.runIf(pgOk && redisOk)('two instances on one PostgreSQL and one Redis', () => {
  let db: ScaleDatabase | undefined;
  let redis: ScaleRedis | undefined;
  let instances: Instance[] = [];

  const pair = (): [Instance, Instance] => {
    const [a, b] = instances;
    if (a === undefined || b === undefined) throw new Error('instances not started');
    return [a, b];
  };

  beforeAll(async () => {
    ensureBuilt();
    db = await createScaleDatabase();
    redis = await claimRedisDatabase();
    const shared = { databaseUrl: db.url, redisUrl: redis.url() };
    // Started at the same moment: both migrate the fresh database concurrently.
    instances = await Promise.all([startInstance({ name: 'A', ...shared }), startInstance({ name: 'B', ...shared })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((i) => i.stop()));
    await redis?.release();
    await db?.drop();
  }, 30_000);

  it('both are ready on PostgreSQL and Redis after starting at the same moment; one schema', async () => {
    for (const instance of pair()) {
      const { status, body } = await instance.readyz();
      expect(status, instance.output()).toBe(200);
      expect(body.consentLog).toMatchObject({ writable: true, degraded: false, spooled: 0, kind: 'postgres+spool' });
      expect(body.switches).toEqual({ kind: 'redis', connected: true });
    }
    const versions = await db!.query<{ version: number; n: number }>(
      'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.every((v) => v.n === 1)).toBe(true);
  });

  it(`${CALLS} calls with alternating webhook steps all end correctly; each consent is in PostgreSQL exactly once`, async () => {
    const [a, b] = pair();
    const plan = Array.from({ length: CALLS }, (_, i) => ({
      scenario: SCENARIOS[i % SCENARIOS.length]!,
      first: i % 2,
      // Every third call: each menu webhook is retried on both instances at once.
      retryMenu: i % 3 === 0,
    }));
    const calls: RoutedCall[] = await Promise.all(
      plan.map((p) => playAcross([a, b], p.scenario.presses, { first: p.first, retryMenu: p.retryMenu })),
    );

    calls.forEach((call, i) => {
      const { scenario, first, retryMenu } = plan[i]!;
      const label = `call ${i} (${scenario.presses || 'silence'}) ${call.callSid}`;
      expect(call.end, label).toMatchObject(scenario.end);
      expect(
        call.steps.every((s) => s.status === 200),
        label,
      ).toBe(true);
      // Step k went to instance (first + k) mod 2: no step stayed with "its" instance.
      expect(
        call.served.map((s) => s.instance),
        label,
      ).toEqual(call.served.map((_, k) => ['A', 'B'][(first + k) % 2]));
      expect(call.served.length, label).toBeGreaterThanOrEqual(2);
      if (retryMenu) {
        expect(call.retries.length, label).toBeGreaterThanOrEqual(2);
        for (const retry of call.retries) {
          expect(retry.status, `${label} retry on ${retry.instances.join()}`).toBe(200);
          // Same URL and parameters: the same answer, whichever instance gives it.
          expect(retry.body, `${label} retry on ${retry.instances.join()}`).toBe(retry.original);
        }
      }
    });

    // Every call, retried or not, was answered by both instances.
    const served = calls.flatMap((c) => c.served.map((s) => s.instance));
    expect(served.filter((n) => n === 'A').length).toBeGreaterThan(CALLS / 2);
    expect(served.filter((n) => n === 'B').length).toBeGreaterThan(CALLS / 2);

    const rows = await db!.query<ConsentRow>(
      `SELECT call_sid, decision, count(*)::int AS n, min(caller) AS caller, min(route) AS route,
              min(language) AS language, min(flow_version) AS flow_version, min(notice_sha256) AS notice_sha256
         FROM consents WHERE call_sid = ANY($1) GROUP BY call_sid, decision ORDER BY call_sid, decision`,
      [calls.map((c) => c.callSid)],
    );
    const expected = calls
      .map((call, i) => ({ call, consent: plan[i]!.scenario.consent }))
      .filter((x) => x.consent !== undefined)
      .map(({ call, consent }) => `${call.callSid} ${consent!.decision} ${consent!.route} ${consent!.language}`)
      .sort();
    expect(rows.map((r) => `${r.call_sid} ${r.decision} ${r.route} ${r.language}`).sort()).toEqual(expected);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(rows.map((r) => r.caller))).toEqual(new Set([`${CALLER.slice(0, 7)}***${CALLER.slice(-3)}`]));
    // Both instances serve the same config version and the same notice.
    expect(new Set(rows.map((r) => r.flow_version)).size).toBe(1);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.notice_sha256))).toBe(true);

    // Counted once across the instances, however often a webhook was retried.
    const metrics = await Promise.all([a.metrics(), b.metrics()]);
    const sum = (name: string, labels: Record<string, string> = {}) =>
      metrics.reduce((acc, m) => acc + (metricValue(m, name, labels) ?? 0), 0);
    expect(sum('infoline_calls_total')).toBe(CALLS);
    // A duplicate is recognised, not an error: no call lost its recording over a retry.
    expect(sum('infoline_consent_write_failures_total')).toBe(0);
    expect(sum('infoline_consents_total', { decision: 'granted' })).toBe(expected.filter((e) => e.includes(' granted ')).length);
    expect(sum('infoline_consents_total', { decision: 'declined' })).toBe(expected.filter((e) => e.includes(' declined ')).length);
  });

  it('`infoline close spa` is in force on both instances within 1 s, and `infoline reopen spa` too', async () => {
    const [a, b] = pair();
    // A call pressing 5, answered by A then B (and B then A): the menu answer says why the spa
    // team is closed. The closure applies at any hour, so this does not depend on the clock.
    const hearsClosure = async (): Promise<boolean[]> => {
      const calls = await Promise.all([0, 1].map((first) => playAcross([a, b], '5', { first, maxSteps: 2 })));
      return calls.map((c) => spoken(c).includes(EMERGENCY_TEXT));
    };
    expect(await hearsClosure()).toEqual([false, false]);

    // The supervisor's command, with the same store settings as the service.
    const stores = { databaseUrl: db!.url, redisUrl: redis!.url() };
    const closed = await runCli(['close', 'spa', '--until', '1h', '--reason', CLOSURE_REASON], stores);
    expect(closed, closed.stderr).toMatchObject({ code: 0 });
    expect(closed.stdout).toContain('closed spa until');
    // The contract says 1 s; poll up to 3 s so a loaded machine does not make this flaky.
    await waitFor(async () => (await hearsClosure()).every(Boolean), 3000, 'both instances to apply the closure');
    const call = await playAcross([a, b], '5', { first: 1, maxSteps: 2 });
    const menuAnswer = parseTwiml(call.steps[1]!.twiml).verbs.map(verbName);
    // Closed: not connected to the spa queue, back to the menu instead.
    expect(menuAnswer).not.toContain('Enqueue');
    expect(menuAnswer).toContain('Gather');
    const closedHits = await Promise.all([a.metrics(), b.metrics()]);
    expect(closedHits.every((m) => (metricValue(m, 'infoline_closed_hits_total', { schedule: 'spa' }) ?? 0) > 0)).toBe(true);

    const reopened = await runCli(['reopen', 'spa'], stores);
    expect(reopened, reopened.stderr).toMatchObject({ code: 0 });
    await waitFor(async () => (await hearsClosure()).every((heard) => !heard), 3000, 'both instances to lift the closure');
  });

  it('each instance stops cleanly on SIGTERM (exit 0)', async () => {
    const codes = await Promise.all(pair().map((i) => i.stop()));
    expect(codes).toEqual([0, 0]);
  });
});
