// The composition root: reads the environment, picks the adapters, wires the app.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, type TrustProxy } from './app.js';
import { consoleSettings, enableConsole, type ConsoleEnv } from './console/enable.js';
import { packageRoot } from './config/load.js';
import { EnvError, parseEnv, productionProblem, twilioProblem, type RawEnv } from './config/env.js';
import { ConfigRegistry } from './config/registry.js';
import { fileBundleCache } from './config/bundle-cache.js';
import { logDestination, loggerOptions } from './http/logging.js';
import { createMetrics } from './http/metrics.js';
import { openStores, parseDatabaseUrl, type Stores } from './store/open-stores.js';
import { DEFAULT_JOURNEY_RETENTION_DAYS, JourneyRecorder } from './store/journey-recorder.js';
import { ClaimPruner } from './store/retention-pruner.js';
import { recordingStarterFor, type TwilioCredentials } from './integrations/twilio-recording-starter.js';
import type { RecordingStarter } from './telephony/recording.js';
import { deriveStateKey } from './identity/sealed-state.js';
import { createIdentityWebhook, identitySettings, type IdentityEnv } from './integrations/identity-webhook.js';
import { startCallbackDispatcher } from './integrations/callback-dispatcher.js';

export interface ServiceEnv {
  port: number;
  host: string;
  publicUrl: string | undefined;
  authToken: string | undefined;
  /** TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_URL: recordings and callbacks through the REST API. */
  twilio?: TwilioCredentials;
  /** CALLBACK_TICK_MS: how often due callback requests are looked for. */
  callbackTickMs?: number;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Local durable spool for consents while PostgreSQL is unreachable (one per instance). */
  spoolPath: string | undefined;
  configDir: string;
  /** CONFIG_CACHE_DIR: the validated config kept between starts (undefined: off). */
  configCacheDir?: string | undefined;
  logLevel: string;
  production: boolean;
  /** Supervisor console (/console): off unless CONSOLE_SESSION_SECRET is set and the users file exists. */
  console?: ConsoleEnv | undefined;
  /** Fastify trustProxy: which proxies may set X-Forwarded-For (hop count, addresses, or true). */
  trustProxy: TrustProxy;
  /** MAX_CONNECTIONS_PER_IP (default 64, 0: no cap). */
  maxConnectionsPerIp?: number | undefined;
  /** Key of the sealed identification state (IDENTITY_STATE_KEY, else derived from the auth token). */
  identityStateKey?: Buffer | undefined;
  /** Caller identification: sealed-state key and the screen-pop webhook. */
  identity: IdentityEnv;
  /** JOURNEY_RETENTION_DAYS: call journeys older than this are deleted (0: kept). */
  journeyRetentionDays?: number;
}

export { EnvError };

/**
 * The build stamp scripts/bundle-server.mjs defines in the bundle `npm start` runs (a hash of the
 * compiled code and package-lock.json); undefined when the sources run unbundled (tests, tsx).
 */
declare const __INFOLINE_BUILD_ID__: string | undefined;
const BUILD_ID = typeof __INFOLINE_BUILD_ID__ === 'string' ? __INFOLINE_BUILD_ID__ : undefined;

/** The service's settings from the environment (the zod schema in src/config/env.ts). */
export function readEnv(raw: RawEnv): ServiceEnv {
  const env = parseEnv(raw);
  const problem = productionProblem(env) ?? twilioProblem(env);
  if (problem !== undefined) throw new EnvError(problem);
  const settings = identitySettings(env);
  if (!settings.ok) throw new EnvError(settings.message);
  const identity = settings.value;
  let stateKey: Buffer | undefined;
  try {
    stateKey = deriveStateKey(identity.stateKey, env.TWILIO_AUTH_TOKEN);
  } catch (err) {
    throw new EnvError((err as Error).message);
  }
  return {
    identity,
    identityStateKey: stateKey,
    port: env.PORT,
    host: env.HOST,
    publicUrl: env.PUBLIC_URL,
    authToken: env.TWILIO_AUTH_TOKEN,
    twilio: { accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, apiUrl: env.TWILIO_API_URL },
    callbackTickMs: env.CALLBACK_TICK_MS,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    spoolPath: env.CONSENT_SPOOL_PATH,
    configDir: env.INFOLINE_CONFIG_DIR,
    configCacheDir: env.CONFIG_CACHE_DIR,
    logLevel: env.LOG_LEVEL ?? 'info',
    production: env.NODE_ENV === 'production',
    console: consoleSettings(env),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    maxConnectionsPerIp: env.MAX_CONNECTIONS_PER_IP,
    journeyRetentionDays: env.JOURNEY_RETENTION_DAYS,
  };
}

/** TRUST_PROXY: unset/false → trust no one (client IPs as seen); a number → hops; else addresses/CIDRs. */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address: string, hop: number) => hop < hops;
  }
  return value.split(',').map((v) => v.trim());
}

export interface Service {
  app: FastifyInstance;
  registry: ConfigRegistry;
  stores: Stores;
  close(): Promise<void>;
}

export async function composeService(
  env: ServiceEnv,
  extra: { recordingStarter?: RecordingStarter; watch?: boolean } = {},
): Promise<Service> {
  const logger = pino(loggerOptions(env.logLevel), logDestination());
  const metrics = createMetrics();
  if (!env.authToken) {
    logger.warn('TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT checked (allowed outside production only)');
  }
  if (!env.identityStateKey) {
    logger.warn(
      'neither IDENTITY_STATE_KEY nor TWILIO_AUTH_TOKEN is set: caller identification uses a per-process key (one instance only)',
    );
  }
  const webhook = env.identity.webhook;
  const notifier = webhook ? createIdentityWebhook({ ...webhook, logger }) : undefined;
  const registry = new ConfigRegistry({
    dir: env.configDir,
    defaultsDir: packageRoot(),
    logger,
    startCache:
      BUILD_ID !== undefined && env.configCacheDir !== undefined
        ? fileBundleCache({ dir: env.configCacheDir, buildId: BUILD_ID, configDir: env.configDir, logger })
        : undefined,
    onReload: (r) => {
      if (r.result !== 'unchanged') metrics.configReloads.inc({ result: r.result });
    },
  });
  registry.start();
  if (extra.watch ?? true) registry.watch();
  const stores = await openStores({ databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, spoolPath: env.spoolPath, logger });
  // Saves the version just applied before the first call (at most 2 s: a database outage must not hold the start).
  await Promise.race([registry.attachStore(stores.configVersions), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  // With several instances (PostgreSQL) the end of a call is read back after the other
  // instances' batches (250 ms) have landed.
  const journal = new JourneyRecorder({
    store: stores.journeys,
    registry: metrics.registry,
    logger,
    retentionDays: env.journeyRetentionDays ?? DEFAULT_JOURNEY_RETENTION_DAYS,
    settleMs: parseDatabaseUrl(env.databaseUrl).kind === 'postgres' ? 600 : 0,
  });
  void journal.prune();
  const claimPruner = new ClaimPruner({ store: stores.claims, logger });
  void claimPruner.prune();
  const app = await buildApp({
    registry,
    consentLog: stores.consentLog,
    switches: stores.switches,
    storeHealth: () => stores.health(),
    authToken: env.authToken,
    publicUrl: env.publicUrl,
    metrics,
    loggerInstance: logger,
    recordingStarter: extra.recordingStarter ?? (env.twilio ? recordingStarterFor(env.twilio) : undefined),
    claims: stores.claims,
    trustProxy: env.trustProxy,
    maxConnectionsPerIp: env.maxConnectionsPerIp,
    identity: { stateKey: env.identityStateKey, notifier },
    journal,
    callbacks: stores.callbacks,
  });
  const dispatcher = startCallbackDispatcher(
    { store: stores.callbacks, registry, switches: stores.switches, publicUrl: env.publicUrl, metrics, logger },
    env.twilio,
    env.callbackTickMs,
  );
  if (env.console)
    await enableConsole(
      app,
      {
        registry,
        consentLog: stores.consentLog,
        switches: stores.switches,
        configVersions: stores.configVersions,
        sessions: stores.sessions,
        journeys: stores.journeys,
        callbacks: stores.callbacks,
        logger,
      },
      env.console,
    );
  return {
    app,
    registry,
    stores,
    async close() {
      registry.close();
      await dispatcher?.stop();
      await app.close();
      await journal.close();
      await claimPruner.close();
      await stores.close();
    },
  };
}
