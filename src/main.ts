// The composition root: reads the environment, picks the adapters, wires the app.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, type TrustProxy } from './app.js';
import { enableConsole, readConsoleEnv, type ConsoleEnv } from './console/enable.js';
import { configDir, packageRoot } from './config/load.js';
import { ConfigRegistry } from './config/registry.js';
import { loggerOptions } from './http/logging.js';
import { createMetrics } from './http/metrics.js';
import { openStores, parseDatabaseUrl, type Stores } from './store/open-stores.js';
import { DEFAULT_JOURNEY_RETENTION_DAYS, JourneyRecorder } from './store/journey-recorder.js';
import { recordingStarterFromEnv } from './integrations/twilio-recording-starter.js';
import type { RecordingStarter } from './telephony/recording.js';
import { deriveStateKey } from './identity/sealed-state.js';
import { createIdentityWebhook, readIdentityEnv, type IdentityEnv } from './integrations/identity-webhook.js';
import { startCallbackDispatcher } from './integrations/callback-dispatcher.js';

export interface ServiceEnv {
  port: number;
  host: string;
  publicUrl: string | undefined;
  authToken: string | undefined;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Local durable spool for consents while PostgreSQL is unreachable (one per instance). */
  spoolPath: string | undefined;
  configDir: string;
  logLevel: string;
  production: boolean;
  /** Supervisor console (/console): off unless CONSOLE_SESSION_SECRET is set and the users file exists. */
  console?: ConsoleEnv | undefined;
  /** Fastify trustProxy: which proxies may set X-Forwarded-For (hop count, addresses, or true). */
  trustProxy: TrustProxy;
  /** Key of the sealed identification state (IDENTITY_STATE_KEY, else derived from the auth token). */
  identityStateKey?: Buffer | undefined;
  /** Caller identification: sealed-state key and the screen-pop webhook. */
  identity: IdentityEnv;
  /** JOURNEY_RETENTION_DAYS: call journeys older than this are deleted (0: kept). */
  journeyRetentionDays?: number;
}

export class EnvError extends Error {}

export function readEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const production = env.NODE_ENV === 'production';
  const authToken = env.TWILIO_AUTH_TOKEN?.trim() || undefined;
  if (production && !authToken) {
    throw new EnvError('TWILIO_AUTH_TOKEN is required when NODE_ENV=production (the Twilio signature check cannot be switched off in production)');
  }
  const accountSid = env.TWILIO_ACCOUNT_SID?.trim();
  if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new EnvError('TWILIO_ACCOUNT_SID must be an account SID (AC followed by 32 hex digits)');
  }
  const port = Number(env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvError(`PORT must be a port number, got "${env.PORT}"`);
  const publicUrl = env.PUBLIC_URL?.trim() || undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new EnvError(`PUBLIC_URL must be the base URL Twilio calls, like https://ivr.example.org, got "${publicUrl}"`);
  }
  if (production) checkProductionPublicUrl(publicUrl);
  const identity = readIdentityEnv(env);
  if (!identity.ok) throw new EnvError(identity.message);
  let stateKey: Buffer | undefined;
  try {
    stateKey = deriveStateKey(identity.value.stateKey, authToken);
  } catch (err) {
    throw new EnvError((err as Error).message);
  }
  return {
    identity: identity.value,
    identityStateKey: stateKey,
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    publicUrl,
    authToken,
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    spoolPath: env.CONSENT_SPOOL_PATH?.trim() || undefined,
    configDir: configDir(env),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    production,
    console: readConsoleEnv(env, (message) => new EnvError(message)),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    journeyRetentionDays: parseRetentionDays(env.JOURNEY_RETENTION_DAYS),
  };
}

/**
 * In production the signature is checked against PUBLIC_URL only (never against headers a
 * client can set, such as X-Forwarded-Host), and Twilio calls only https there: a plain-http
 * URL is allowed for a loopback host alone (local smoke runs of the production build).
 */
function checkProductionPublicUrl(publicUrl: string | undefined): void {
  if (publicUrl === undefined) {
    throw new EnvError('PUBLIC_URL is required when NODE_ENV=production (the https base URL Twilio calls, e.g. https://ivr.example.org)');
  }
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new EnvError(`PUBLIC_URL must be the base URL Twilio calls, like https://ivr.example.org, got "${publicUrl}"`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new EnvError(`PUBLIC_URL must be https:// when NODE_ENV=production (only a loopback host may use http://), got "${publicUrl}"`);
  }
}

function parseRetentionDays(raw: string | undefined): number {
  const value = raw?.trim() ?? '';
  if (value === '') return DEFAULT_JOURNEY_RETENTION_DAYS;
  if (!/^\d{1,5}$/.test(value)) throw new EnvError(`JOURNEY_RETENTION_DAYS must be a whole number of days (0 keeps journeys), got "${raw}"`);
  return Number(value);
}

/** TRUST_PROXY: unset/false → trust no one (client IPs as seen); a number → hops; else addresses/CIDRs. */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? '';
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

export async function composeService(env: ServiceEnv, extra: { recordingStarter?: RecordingStarter; watch?: boolean } = {}): Promise<Service> {
  const logger = pino(loggerOptions(env.logLevel));
  const metrics = createMetrics();
  if (!env.authToken) {
    logger.warn('TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT checked (allowed outside production only)');
  }
  if (!env.identityStateKey) {
    logger.warn('neither IDENTITY_STATE_KEY nor TWILIO_AUTH_TOKEN is set: caller identification uses a per-process key (one instance only)');
  }
  const webhook = env.identity.webhook;
  const notifier = webhook ? createIdentityWebhook({ ...webhook, logger }) : undefined;
  const registry = new ConfigRegistry({
    dir: env.configDir,
    defaultsDir: packageRoot(),
    logger,
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
  const app = await buildApp({
    registry,
    consentLog: stores.consentLog,
    switches: stores.switches,
    storeHealth: () => stores.health(),
    authToken: env.authToken,
    publicUrl: env.publicUrl,
    metrics,
    logger: loggerOptions(env.logLevel),
    recordingStarter: extra.recordingStarter ?? recordingStarterFromEnv(),
    claims: stores.claims,
    trustProxy: env.trustProxy,
    identity: { stateKey: env.identityStateKey, notifier },
    journal,
    callbacks: stores.callbacks,
  });
  const dispatcher = startCallbackDispatcher({ store: stores.callbacks, registry, switches: stores.switches, publicUrl: env.publicUrl, metrics, logger });
  if (env.console) await enableConsole(app, { registry, consentLog: stores.consentLog, switches: stores.switches, configVersions: stores.configVersions, sessions: stores.sessions, journeys: stores.journeys, callbacks: stores.callbacks, logger }, env.console);
  return {
    app,
    registry,
    stores,
    async close() {
      registry.close();
      await dispatcher?.stop();
      await app.close();
      await journal.close();
      await stores.close();
    },
  };
}
