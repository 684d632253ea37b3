// Issue 14: two service processes on one PostgreSQL place callback requests through a fake
// Twilio REST API (real HTTP). Each request is placed exactly once, at most `concurrent` at a
// time for the queue across both instances, and requests acknowledged by an instance that is
// then SIGKILLed (before any dispatch) are placed by the others.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrs, parseTwiml, verbName, type TwimlNode } from '../../src/telephony/player.js';
import { startFakeTwilioApi, type FakeTwilioApi } from '../support/fake-twilio-api.js';
import { newCallSid } from '../support/twilio.js';
import { probePostgres, requireService } from '../store/services.js';
import { ensureBuilt } from '../reliability/service-process.js';
import { playAcross } from './support/calls.js';
import { startInstance, type Instance } from './support/instance.js';
import { createScaleDatabase, type ScaleDatabase } from './support/shared-services.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const pgOk = requireService(await probePostgres());

const PER_INSTANCE = 100;
const BEFORE_CRASH = 20;
const CONCURRENT = 10;
const ACCOUNT = `AC${'1'.repeat(32)}`;
const LINE = '+420261105555';

/** The frozen config with the callbacks schedule open all week and `concurrent` set. */
function alwaysOpenConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-cb-config-'));
  cpSync(FROZEN_CONFIG, dir, { recursive: true });
  const hours = join(dir, 'config', 'hours.yaml');
  const text = readFileSync(hours, 'utf8');
  const at = text.indexOf('  callbacks:');
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => `      ${d}: [{ from: "00:00", to: "24:00" }]`).join('\n');
  writeFileSync(hours, `${text.slice(0, at)}  callbacks:\n    timezone: Europe/Prague\n    weekly:\n${days}\n`);
  const queues = join(dir, 'config', 'queues.yaml');
  writeFileSync(queues, readFileSync(queues, 'utf8').replace('concurrent: 2', `concurrent: ${CONCURRENT}`));
  return dir;
}

const find = (verbs: TwimlNode[], name: string) => verbs.find((v) => verbName(v) === name);

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

describe.runIf(pgOk)('callbacks placed by two instances on one PostgreSQL', () => {
  let db: ScaleDatabase | undefined;
  let api: FakeTwilioApi | undefined;
  let configDir = '';
  const instances: Instance[] = [];

  beforeAll(async () => {
    ensureBuilt();
    db = await createScaleDatabase();
    api = await startFakeTwilioApi();
    configDir = alwaysOpenConfig();
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((i) => i.stop()));
    await api?.close();
    await db?.drop();
    rmSync(configDir, { recursive: true, force: true });
  }, 60_000);

  const start = (name: string, dispatch: boolean) =>
    startInstance({
      name,
      databaseUrl: db!.url,
      redisUrl: '',
      env: {
        INFOLINE_CONFIG_DIR: configDir,
        TWILIO_ACCOUNT_SID: dispatch ? ACCOUNT : undefined,
        TWILIO_API_URL: api!.url,
        CALLBACK_TICK_MS: '200',
      },
    });

  /** One caller on hold asks to be called back on their own number; all on `instance`. */
  async function request(instance: Instance, waitUrl: string, n: number): Promise<void> {
    const params = { CallSid: newCallSid(), From: `+420777${String(n).padStart(6, '0')}`, To: LINE, AccountSid: ACCOUNT };
    const step = async (url: string, extra: Record<string, string>) => {
      const res = await instance.post(url, { ...params, ...extra });
      expect(res.status, instance.output()).toBe(200);
      return parseTwiml(res.body).verbs;
    };
    const offer = await step(waitUrl, { QueueTime: '130' });
    const choice = await step(attrs(find(offer, 'Gather')!).action!, { Digits: '2' });
    const confirmed = await step(attrs(find(choice, 'Gather')!).action!, { Digits: '1' });
    expect(find(confirmed, 'Leave')).toBeDefined();
  }

  it(`a crash after ${BEFORE_CRASH} acknowledged requests loses none; ${PER_INSTANCE} per instance are each placed exactly once`, async () => {
    // C acknowledges requests and is killed before any dispatch (it has no dispatcher at all).
    const c = await start('C', false);
    const held = await playAcross([c], '1');
    if (held.end.kind !== 'queue') throw new Error(`expected a queue, got ${JSON.stringify(held.end)}`);
    const waitUrl = held.end.waitUrl!;
    await pool(
      Array.from({ length: BEFORE_CRASH }, (_, i) => i),
      4,
      (i) => request(c, waitUrl, 900_000 + i),
    );
    await c.kill();
    expect(api!.requests).toHaveLength(0);

    const [a, b] = await Promise.all([start('A', true), start('B', true)]);
    instances.push(a, b);
    const total = BEFORE_CRASH + 2 * PER_INSTANCE;
    const began = Date.now();
    let answered = 0;
    let maxInFlight = 0;
    let stop = false;
    // Twilio's side: each placed call is answered by a person who presses 1 (on either instance).
    const twilio = (async () => {
      while (!stop) {
        const placed = api!.requests.slice(answered);
        maxInFlight = Math.max(maxInFlight, api!.requests.length - answered);
        for (const r of placed) {
          const via = answered % 2 === 0 ? a : b;
          const out = { CallSid: r.sid!, From: LINE, To: r.form.To!, AccountSid: ACCOUNT, AnsweredBy: 'human' };
          const greeting = parseTwiml((await via.post(r.form.Url!, out)).body).verbs;
          const accepted = parseTwiml((await via.post(attrs(find(greeting, 'Gather')!).action!, { ...out, Digits: '1' })).body).verbs;
          expect(find(accepted, 'Enqueue'), via.output()).toBeDefined();
          answered++;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await pool(
      Array.from({ length: 2 * PER_INSTANCE }, (_, i) => i),
      8,
      (i) => request(i % 2 === 0 ? a : b, waitUrl, i),
    );
    const deadline = Date.now() + 120_000;
    while (answered < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1000)); // anything extra would show up now
    stop = true;
    await twilio;
    const seconds = (Date.now() - began) / 1000;

    const ids = api!.requests.map((r) => new URL(r.form.Url!).searchParams.get('id'));
    expect(api!.requests).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(maxInFlight).toBeLessThanOrEqual(CONCURRENT);
    for (const r of api!.requests) {
      expect(r.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Calls.json`);
      expect(r.form).toMatchObject({ From: LINE, MachineDetection: 'Enable' });
    }
    const rows = await db!.query<{ status: string; attempts: number; n: string }>(
      'SELECT status, attempts, count(*) AS n FROM callbacks GROUP BY status, attempts',
    );
    expect(rows).toEqual([{ status: 'done', attempts: 1, n: String(total) }]);
    const consents = await db!.query<{ n: string }>(
      "SELECT count(*) AS n FROM consents WHERE decision = 'granted' AND notice_id = 'callback.notice'",
    );
    expect(consents[0]?.n).toBe(String(total));
    console.info(
      `[callbacks] ${total} requests placed exactly once by 2 instances in ${seconds.toFixed(1)} s (max ${maxInFlight} in flight, concurrent ${CONCURRENT})`,
    );
  }, 240_000);
});
