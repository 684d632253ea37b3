// Issue 6, outages: one instance (a separate process) reaches PostgreSQL and Redis through
// TCP proxies that the test cuts and restores, like a network split; the machine's real
// servers keep running. Callers must still reach a person, every consent must end up in
// PostgreSQL exactly once, the last known switches must stay in force, and /readyz and
// /metrics must show the degraded state.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSwitchStore } from '../../src/store/redis-switch-store.js';
import { PG_URL, REDIS_URL, probePostgres, probeRedis, requireService, waitFor } from '../store/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ensureBuilt } from '../reliability/service-process.js';
import { callParams, playAcross, SCENARIOS, spoken, type RoutedCall } from './support/calls.js';
import { metricValue, PUBLIC_URL, startInstance, type Instance } from './support/instance.js';
import { claimRedisDatabase, createScaleDatabase, type ScaleDatabase, type ScaleRedis } from './support/shared-services.js';

const pgOk = requireService(await probePostgres());
const redisOk = requireService(await probeRedis());

const CLOSURE_REASON = 'výpadek systému (test)';
const EMERGENCY_TEXT = `Oddělení je mimořádně uzavřeno: ${CLOSURE_REASON}.`;

function proxyFor(url: string, defaultPort: number): TcpProxy {
  const u = new URL(url);
  return new TcpProxy(Number(u.port || defaultPort), u.hostname);
}

describe.runIf(pgOk && redisOk)('one instance through cuttable PostgreSQL and Redis connections', () => {
  let db: ScaleDatabase | undefined;
  let redis: ScaleRedis | undefined;
  const pgProxy = proxyFor(PG_URL, 5432);
  const redisProxy = proxyFor(REDIS_URL, 6379);
  let instance: Instance | undefined;
  let supervisor: RedisSwitchStore | undefined;

  const service = (): Instance => {
    if (instance === undefined) throw new Error('instance not started');
    return instance;
  };
  const consentRows = (sids: string[]) =>
    db!.query<{ call_sid: string; decision: string; n: number }>(
      'SELECT call_sid, decision, count(*)::int AS n FROM consents WHERE call_sid = ANY($1) GROUP BY call_sid, decision',
      [sids],
    );
  const gauge = async (name: string): Promise<number | undefined> => metricValue(await service().metrics(), name);

  beforeAll(async () => {
    ensureBuilt();
    db = await createScaleDatabase();
    redis = await claimRedisDatabase();
    const [pgPort, redisPort] = await Promise.all([pgProxy.start(), redisProxy.start()]);
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(pgPort);
    instance = await startInstance({ name: 'outage', databaseUrl: viaProxy.toString(), redisUrl: redis.url(redisPort) });
    // The supervisor's CLI talks to Redis directly, not through the cut connection.
    supervisor = new RedisSwitchStore({ url: redis.url() });
    await supervisor.migrate();
    await waitFor(
      async () => (await service().readyz()).body.consentLog.degraded === false,
      10_000,
      'PostgreSQL reachable through the proxy',
    );
  }, 120_000);

  afterAll(async () => {
    await instance?.stop();
    await Promise.allSettled([pgProxy.close(), redisProxy.close()]);
    await supervisor?.close();
    await redis?.release();
    await db?.drop();
  }, 30_000);

  it('PostgreSQL cut: callers still reach a person, consents are spooled, /readyz and /metrics say degraded; restored: each consent in PostgreSQL exactly once', async () => {
    const s = service();
    const before = await playAcross([s], '1');
    expect(before.end).toMatchObject({ kind: 'queue', queue: 'ozp-insurance' });
    expect(await consentRows([before.callSid])).toEqual([{ call_sid: before.callSid, decision: 'granted', n: 1 }]);
    const beforeMenu = before.steps[1]!;

    await pgProxy.cut();

    // Every clock-independent scenario, once plain and once with its menu webhooks retried.
    const plan = [...SCENARIOS, ...SCENARIOS].map((scenario, i) => ({ scenario, retryMenu: i >= SCENARIOS.length }));
    const calls: RoutedCall[] = await Promise.all(plan.map((p) => playAcross([s], p.scenario.presses, { retryMenu: p.retryMenu })));
    calls.forEach((call, i) => {
      const { scenario } = plan[i]!;
      const label = `outage call ${i} (${scenario.presses || 'silence'}) ${call.callSid}`;
      expect(call.end, label).toMatchObject(scenario.end);
      expect(
        call.steps.every((st) => st.status === 200),
        label,
      ).toBe(true);
      for (const retry of call.retries) expect(retry.body, label).toBe(retry.original);
    });
    const withConsent = calls.filter((_, i) => plan[i]!.scenario.consent !== undefined);
    // A call whose consent reached PostgreSQL before the cut, retried during it (Twilio's retry).
    const retried = await s.post(`${PUBLIC_URL}${beforeMenu.request}`, { ...callParams(before.callSid), Digits: '1' });
    expect(retried.status).toBe(200);
    expect(retried.body).toBe(beforeMenu.twiml);

    const ready = await s.readyz();
    // Still ready: consents are durable in the spool, so the load balancer keeps this instance.
    expect(ready.status).toBe(200);
    expect(ready.body.consentLog).toMatchObject({ writable: true, degraded: true, kind: 'postgres+spool' });
    expect(ready.body.consentLog.spooled).toBe(withConsent.length + 1);
    expect(await gauge('infoline_consent_store_degraded')).toBe(1);
    expect(await gauge('infoline_consent_spool_size')).toBe(withConsent.length + 1);
    expect(await gauge('infoline_consent_write_failures_total')).toBe(0);
    // Durable where CONSENT_SPOOL_PATH says: this instance's own SQLite file holds them.
    const spool = new Database(s.spoolPath, { readonly: true, fileMustExist: true });
    try {
      const spooledSids = (spool.prepare('SELECT call_sid FROM consents').all() as { call_sid: string }[]).map((r) => r.call_sid);
      expect(new Set(spooledSids)).toEqual(new Set([before.callSid, ...withConsent.map((c) => c.callSid)]));
    } finally {
      spool.close();
    }

    await pgProxy.restore();
    await waitFor(
      async () => {
        const r = await s.readyz();
        return r.body.consentLog.degraded === false && r.body.consentLog.spooled === 0;
      },
      10_000,
      'the spool to drain into PostgreSQL',
    );
    expect(await gauge('infoline_consent_store_degraded')).toBe(0);
    expect(await gauge('infoline_consent_spool_size')).toBe(0);

    const expected = [
      `${before.callSid} granted`,
      ...calls.flatMap((call, i) => {
        const consent = plan[i]!.scenario.consent;
        return consent === undefined ? [] : [`${call.callSid} ${consent.decision}`];
      }),
    ].sort();
    const rows = await consentRows([before.callSid, ...calls.map((c) => c.callSid)]);
    expect(rows.map((r) => `${r.call_sid} ${r.decision}`).sort()).toEqual(expected);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    // And nothing else crept in.
    const [total] = await db!.query<{ n: number }>('SELECT count(*)::int AS n FROM consents');
    expect(total?.n).toBe(expected.length);

    // Healthy again: the next consent goes straight to PostgreSQL.
    const after = await playAcross([s], '2');
    expect(after.end).toMatchObject({ kind: 'queue', queue: 'ozp-vitakarta' });
    expect(await consentRows([after.callSid])).toEqual([{ call_sid: after.callSid, decision: 'granted', n: 1 }]);
  });

  it('Redis cut: the service keeps answering, the last known closure stays in force, /readyz and /metrics say disconnected', async () => {
    const s = service();
    const hearsClosure = async (): Promise<boolean> => spoken(await playAcross([s], '5', { maxSteps: 2 })).includes(EMERGENCY_TEXT);
    const now = Date.now();
    await supervisor!.setClosure({
      schedule: 'spa',
      since: new Date(now).toISOString(),
      until: new Date(now + 3_600_000).toISOString(),
      reason: CLOSURE_REASON,
    });
    await waitFor(hearsClosure, 3000, 'the closure to reach the instance');
    expect(await gauge('infoline_switch_store_connected')).toBe(1);

    await redisProxy.cut();
    await waitFor(async () => (await s.readyz()).body.switches?.connected === false, 5000, '/readyz to report Redis disconnected');
    expect((await s.readyz()).status).toBe(200);
    expect(await gauge('infoline_switch_store_connected')).toBe(0);

    // Lifted by the supervisor while this instance cannot hear it: the last known state holds.
    await supervisor!.clearClosure('spa');
    expect(await hearsClosure()).toBe(true);
    const topic = await playAcross([s], '3');
    expect(topic.end).toMatchObject({ kind: 'queue', queue: 'ozp-payments' });
    const declined = await playAcross([s], '0');
    expect(declined.end).toEqual({ kind: 'hangup' });

    await redisProxy.restore();
    await waitFor(async () => (await s.readyz()).body.switches?.connected === true, 10_000, 'Redis to reconnect');
    // Caught up with the change made while it was away.
    await waitFor(async () => !(await hearsClosure()), 3000, 'the lifted closure to reach the instance');
    expect(await gauge('infoline_switch_store_connected')).toBe(1);
  });

  it('stops cleanly on SIGTERM (exit 0), with both connections working again', async () => {
    expect(await service().stop()).toBe(0);
  });
});
