// The composition root: reads the environment, picks the adapters, wires the app.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, type TrustProxy } from './app.js';
import { enableConsole, readConsoleEnv, type ConsoleEnv } from './console/enable.js';
import { configDir, packageRoot } from './config/load.js';
import { ConfigRegistry } from './config/registry.js';
import { loggerOptions } from './http/logging.js';
import { createMetrics } from './http/metrics.js';
import { openStores, type Stores } from './store/open-stores.js';
import { recordingStarterFromEnv } from './integrations/twilio-recording-starter.js';
import type { RecordingStarter } from './telephony/recording.js';
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
  return {
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
  };
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
    trustProxy: env.trustProxy,
    callbacks: stores.callbacks,
  });
  const dispatcher = startCallbackDispatcher({ store: stores.callbacks, registry, switches: stores.switches, publicUrl: env.publicUrl, metrics, logger });
  if (env.console) await enableConsole(app, { registry, consentLog: stores.consentLog, switches: stores.switches, callbacks: stores.callbacks, logger }, env.console);
  return {
    app,
    registry,
    stores,
    async close() {
      registry.close();
      await dispatcher?.stop();
      await app.close();
      await stores.close();
    },
  };
}
