// A real app on a temporary SQLite file, for HTTP tests through app.inject.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import type { IdentityOptions } from '../../src/http/identify-routes.js';
import { createMetrics, type Metrics } from '../../src/http/metrics.js';
import { SqliteConsentLog } from '../../src/store/sqlite-consent-log.js';
import { SqliteSwitchStore } from '../../src/store/sqlite-switch-store.js';
import { SqliteClaimStore } from '../../src/store/sqlite-claims.js';
import type { ClaimStore } from '../../src/store/claims-port.js';
import { SqliteJourneyStore } from '../../src/store/sqlite-journeys.js';
import { JourneyRecorder } from '../../src/store/journey-recorder.js';
import type { JourneyStore } from '../../src/store/journey-port.js';
import type { ConsentLog, SwitchStore } from '../../src/store/ports.js';
import type { ConfigVersionStore } from '../../src/store/config-version-port.js';
import { SqliteCallbackStore } from '../../src/store/sqlite-callback-store.js';
import type { RecordingStarter } from '../../src/telephony/recording.js';
import { playCall, type PlayedCall } from '../../src/telephony/player.js';
import { newCallSid, signedPost, TEST_BASE, TEST_TOKEN } from './twilio.js';
import { FROZEN_CONFIG } from './fixture-config.js';

export const quietLogger = { info() {}, warn() {}, error() {} };

/** A consent log whose every write fails (a full disk, a dead database). */
export const failingConsentLog = (): ConsentLog => ({
  kind: 'failing',
  migrate: async () => {},
  append: async () => {
    throw new Error('disk full');
  },
  list: async () => [],
  check: async () => {},
  close: async () => {},
});

export interface TestApp {
  app: FastifyInstance;
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  metrics: Metrics;
  /** The call journeys the webhooks write (flush() to read them back at once). */
  journal: JourneyRecorder;
  /** Callback requests (only with the `callbacks` option). */
  callbacks: SqliteCallbackStore | undefined;
  /** The temporary folder holding the database; removed by close(). */
  dir: string;
  dbPath: string;
  /** Moves the app's clock. */
  setNow(iso: string | number): void;
  /** Plays a whole call through the webhooks: presses in order, silence after. */
  call(presses: string, opts?: { from?: string; callSid?: string; start?: string }): Promise<PlayedCall & { callSid: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  configDir?: string;
  now?: string | number;
  token?: string | undefined;
  recordingStarter?: RecordingStarter;
  consentLog?: ConsentLog;
  /** Shared claims (default: a SQLite claim store in the test's database file). */
  claims?: ClaimStore;
  /** Where journeys go (default: a SQLite store in the test's database). */
  journeyStore?: JourneyStore;
  logger?: boolean | object;
  trustProxy?: boolean;
  /** Caller identification: state key and screen-pop webhook. */
  identity?: IdentityOptions;
  /** Where the registry keeps every applied config version (default: none). */
  versionStore?: ConfigVersionStore;
  /** Callback requests in the test database (issue 14). */
  callbacks?: boolean;
  /** Registers more on the app before it is ready (e.g. the console plugin). */
  beforeReady?: (t: {
    app: FastifyInstance;
    registry: ConfigRegistry;
    consentLog: ConsentLog;
    switches: SwitchStore;
    journal: JourneyRecorder;
    dir: string;
    now: () => number;
    callbacks?: SqliteCallbackStore;
  }) => Promise<void>;
}

export async function buildTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-test-'));
  const dbPath = join(dir, 'infoline.db');
  const consentLog = opts.consentLog ?? new SqliteConsentLog({ path: dbPath });
  await consentLog.migrate();
  const switches = new SqliteSwitchStore({ path: dbPath });
  await switches.migrate();
  const journeys = opts.journeyStore ?? new SqliteJourneyStore({ path: dbPath });
  if (!opts.journeyStore) await journeys.migrate();
  const claims = opts.claims ?? new SqliteClaimStore({ path: dbPath });
  await claims.migrate();
  const registry = new ConfigRegistry({ dir: opts.configDir ?? FROZEN_CONFIG, logger: quietLogger, versionStore: opts.versionStore });
  const callbacks = opts.callbacks ? new SqliteCallbackStore({ path: dbPath }) : undefined;
  await callbacks?.migrate();
  const started = registry.start();
  if (!registry.current) throw new Error(`test config invalid: ${JSON.stringify(started.issues)}`);
  let now = typeof opts.now === 'string' ? Date.parse(opts.now) : (opts.now ?? Date.parse('2026-11-25T09:00:00Z'));
  const metrics = createMetrics({ defaultMetrics: false });
  const journal = new JourneyRecorder({ store: journeys, registry: metrics.registry, retentionDays: 0 });
  const token = 'token' in opts ? opts.token : TEST_TOKEN;
  const app = await buildApp({
    registry,
    consentLog,
    switches,
    authToken: token,
    publicUrl: TEST_BASE,
    now: () => now,
    metrics,
    logger: opts.logger ?? false,
    recordingStarter: opts.recordingStarter,
    claims,
    journal,
    trustProxy: opts.trustProxy,
    identity: opts.identity,
    callbacks,
  });
  await opts.beforeReady?.({ app, registry, consentLog, switches, journal, dir, now: () => now, callbacks });
  await app.ready();
  return {
    app,
    registry,
    consentLog,
    switches,
    metrics,
    journal,
    callbacks,
    dir,
    dbPath,
    setNow(at) {
      now = typeof at === 'string' ? Date.parse(at) : at;
    },
    async call(presses, callOpts = {}) {
      const callSid = callOpts.callSid ?? newCallSid();
      const played = await playCall({
        start: `${TEST_BASE}${callOpts.start ?? '/voice/incoming'}`,
        params: {
          CallSid: callSid,
          From: callOpts.from ?? '+420603123456',
          To: '+420261105555',
          AccountSid: 'AC00000000000000000000000000000000',
          CallStatus: 'in-progress',
          Direction: 'inbound',
        },
        presses: [...presses],
        post: async (url, params) => {
          const res = await signedPost(app, url, params, { token });
          return { status: res.statusCode, body: res.body };
        },
      });
      return { ...played, callSid };
    },
    async close() {
      registry.close();
      await app.close();
      await journal.close();
      await journeys.close();
      await switches.close();
      await claims.close();
      await callbacks?.close();
      await consentLog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
