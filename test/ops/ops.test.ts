// Health, readiness and the Prometheus metrics an operator scrapes, after real calls.
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import { createMetrics } from '../../src/http/metrics.js';
import { composeService, readEnv, type Service } from '../../src/main.js';
import { MemoryConsentLog } from '../../src/store/memory-consent-log.js';
import { MemorySwitchStore } from '../../src/store/memory-switch-store.js';
import { SqliteClaimStore } from '../../src/store/sqlite-claims.js';
import type { ConsentLog } from '../../src/store/ports.js';
import { buildTestApp, quietLogger, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const WED_OPEN = '2026-11-25T09:00:00Z';
const FRI_EVENING = '2026-11-27T17:00:00Z';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function testApp(opts: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const t = await buildTestApp({ now: WED_OPEN, ...opts });
  cleanups.push(() => t.close());
  return t;
}

/** Parses the Prometheus text format into `name{labels}` → value. */
async function scrape(t: { app: TestApp['app'] }): Promise<Map<string, number>> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const out = new Map<string, number>();
  for (const line of res.body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('/healthz and /readyz', () => {
  it('/healthz: the process is up', async () => {
    const t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz: 200 with the config version when config is loaded and the consent log is writable', async () => {
    const t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ready',
      reasons: [],
      config: { version: t.registry.current!.version },
      consentLog: { writable: true },
    });
  });

  it('/readyz: 503 naming the reason when the consent log cannot be written', async () => {
    const unwritable: ConsentLog = {
      kind: 'broken',
      migrate: async () => {},
      append: async () => ({ inserted: false }),
      list: async () => [],
      close: async () => {},
      check: async () => {
        throw new Error('SQLITE_READONLY: attempt to write a readonly database');
      },
    };
    const t = await testApp({ consentLog: unwritable });
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().reasons.join(' ')).toMatch(/consent log not writable: SQLITE_READONLY/);
  });

  it('/readyz: 503 naming the reason when no valid config is loaded', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'infoline-empty-'));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const registry = new ConfigRegistry({ dir: empty, logger: quietLogger });
    registry.start();
    expect(registry.current).toBeUndefined();
    const app = await buildApp({
      registry,
      consentLog: new MemoryConsentLog(),
      switches: new MemorySwitchStore(),
      logger: false,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    cleanups.push(() => app.close());
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().reasons).toContain('no valid configuration loaded');
  });
});

describe('/metrics after real calls', () => {
  it('counts calls, menu keys, routes, consents, closed teams, signatures, webhook time', async () => {
    const t = await testApp();
    const before = await scrape(t);
    expect(before.get('infoline_calls_total')).toBe(0);
    expect(before.get('infoline_consents_total{decision="granted"}')).toBe(0);
    expect(before.get('infoline_consents_total{decision="declined"}')).toBe(0);
    expect(before.get('infoline_signature_failures_total')).toBe(0);

    await t.call('1');
    await t.call('3');
    await t.call('0');
    t.setNow(FRI_EVENING);
    await t.call('5'); // spa closed: back to the menu, then silence → general
    await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid() }, { signature: 'forged' });

    const m = await scrape(t);
    expect(m.get('infoline_calls_total')).toBe(4);
    expect(m.get('infoline_menu_choices_total{digit="1"}')).toBe(1);
    expect(m.get('infoline_menu_choices_total{digit="3"}')).toBe(1);
    expect(m.get('infoline_menu_choices_total{digit="0"}')).toBe(1);
    expect(m.get('infoline_menu_choices_total{digit="5"}')).toBe(1);
    expect(m.get('infoline_routes_total{target="insurance"}')).toBe(1);
    expect(m.get('infoline_routes_total{target="payments"}')).toBe(1);
    expect(m.get('infoline_routes_total{target="general"}')).toBe(1);
    expect(m.get('infoline_consents_total{decision="granted"}')).toBe(2);
    expect(m.get('infoline_consents_total{decision="declined"}')).toBe(1);
    expect(m.get('infoline_closed_hits_total{schedule="spa"}')).toBe(1);
    expect(m.get('infoline_signature_failures_total')).toBe(1);
    // 4 first answers (the forged one was refused before the handler, but is timed too).
    expect(m.get('infoline_webhook_duration_seconds_count{route="/voice/incoming"}')).toBe(5);
    expect(m.get('infoline_webhook_duration_seconds_bucket{le="+Inf",route="/voice/menu"}')).toBeGreaterThanOrEqual(4);
  });

  it('names every metric the operations contract lists, with help and type', async () => {
    const t = await testApp();
    await t.call('1');
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    for (const [name, type] of [
      ['infoline_calls_total', 'counter'],
      ['infoline_menu_choices_total', 'counter'],
      ['infoline_routes_total', 'counter'],
      ['infoline_closed_hits_total', 'counter'],
      ['infoline_consents_total', 'counter'],
      ['infoline_abandoned_calls_total', 'counter'],
      ['infoline_webhook_duration_seconds', 'histogram'],
      ['infoline_config_reloads_total', 'counter'],
      ['infoline_signature_failures_total', 'counter'],
      ['infoline_consent_store_degraded', 'gauge'],
      ['infoline_consent_spool_size', 'gauge'],
      ['infoline_switch_store_connected', 'gauge'],
      ['infoline_config_version_info', 'gauge'],
    ]) {
      expect(res.body, name).toContain(`# TYPE ${name} ${type}`);
      expect(res.body, name).toMatch(new RegExp(`# HELP ${name} \\S`));
    }
    expect(res.body).toContain(`infoline_config_version_info{version="${t.registry.current!.version}"} 1`);
  });
});

describe('the composed service (main.ts wiring)', () => {
  it('counts config reloads by result and reports store health gauges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infoline-svc-'));
    for (const sub of ['flows', 'prompts', 'config']) cpSync(join(FROZEN_CONFIG, sub), join(dir, sub), { recursive: true });
    const env = readEnv({ INFOLINE_CONFIG_DIR: dir, DATABASE_URL: join(dir, 'infoline.db'), LOG_LEVEL: 'silent' });
    const service: Service = await composeService(env, { watch: false });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => service.close());
    const first = await scrape(service);
    expect(first.get('infoline_config_reloads_total{result="applied"}')).toBe(1);
    expect(first.get('infoline_consent_store_degraded')).toBe(0);
    expect(first.get('infoline_consent_spool_size')).toBe(0);
    expect(first.get('infoline_switch_store_connected')).toBe(1);

    const prompts = join(dir, 'prompts', 'cs.yaml');
    writeFileSync(prompts, readFileSync(prompts, 'utf8').replace('Na shledanou.', 'Na slyšenou.'));
    service.registry.reload();
    writeFileSync(join(dir, 'config', 'queues.yaml'), 'queues: [not, a, map]\n');
    service.registry.reload();
    const after = await scrape(service);
    expect(after.get('infoline_config_reloads_total{result="applied"}')).toBe(2);
    expect(after.get('infoline_config_reloads_total{result="refused"}')).toBe(1);
    expect((await service.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('deletes webhook claims older than a week at start (and hourly), keeping the recent ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infoline-svc-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    for (const sub of ['flows', 'prompts', 'config']) cpSync(join(FROZEN_CONFIG, sub), join(dir, sub), { recursive: true });
    const path = join(dir, 'infoline.db');
    const seed = new SqliteClaimStore({ path });
    await seed.migrate();
    const day = 86_400_000;
    await seed.claim('recording:CAold', new Date(Date.now() - 8 * day).toISOString());
    await seed.claim('recording:CArecent', new Date(Date.now() - 6 * day).toISOString());
    await seed.close();
    const service = await composeService(readEnv({ INFOLINE_CONFIG_DIR: dir, DATABASE_URL: path, LOG_LEVEL: 'silent' }), { watch: false });
    await service.close(); // waits for the deletion under way
    const after = new SqliteClaimStore({ path });
    cleanups.push(() => after.close());
    expect(await after.claim('recording:CAold', new Date().toISOString())).toBe(true);
    expect(await after.claim('recording:CArecent', new Date().toISOString())).toBe(false);
  });
});
