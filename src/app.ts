// Builds the Fastify app (no listen: tests use app.inject, server.ts listens).
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ConfigRegistry } from './config/registry.js';
import { CONNECTIONS_CHECK_INTERVAL_MS, limitConnectionsPerIp, MAX_CONNECTIONS_PER_IP } from './http/connections.js';
import { loggerOptions } from './http/logging.js';
import { requestLoggerFactory } from './http/request-logger.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import type { IdentityOptions } from './http/identify-routes.js';
import { opsRoutes } from './http/ops.js';
import { voiceRoutes } from './http/voice.js';
import type { StoreHealth } from './store/open-stores.js';
import type { ClaimStore } from './store/claims-port.js';
import type { ConsentLog, SwitchStore } from './store/ports.js';
import { WriteTrackingConsentLog } from './store/write-tracking.js';
import type { RecordingStarter } from './telephony/recording.js';
import type { JourneyRecorder } from './store/journey-recorder.js';
import type { CallbackStore } from './store/callback-port.js';

/** Fastify's trustProxy: which proxies may set X-Forwarded-For. */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

export interface AppOptions {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  storeHealth?: (() => StoreHealth) | undefined;
  authToken?: string | undefined;
  publicUrl?: string | undefined;
  /** The clock; the default is the system clock. The simulator passes a fixed instant. */
  now?: () => number;
  metrics?: Metrics;
  recordingStarter?: RecordingStarter | undefined;
  /** Shared "done once" claims (a retried webhook starts no second recording); default: this process only. */
  claims?: ClaimStore | undefined;
  /** Caller identification: the state key and the screen-pop webhook. */
  identity?: IdentityOptions | undefined;
  /** Callback requests (issue 14): enables the callback offer's routes. */
  callbacks?: CallbackStore | undefined;
  /** Which proxies may set X-Forwarded-For (client IPs for rate limits); default: none. */
  trustProxy?: TrustProxy;
  /** Batched journey writer (call journeys and reports); none: no journeys. */
  journal?: JourneyRecorder | undefined;
  /** A pino logger options object, or false for none (simulator). */
  logger?: boolean | object;
  /** The service's one pino logger (src/main.ts), shared with the stores: one writer on stdout. */
  loggerInstance?: FastifyBaseLogger | undefined;
  /** Simultaneous connections one remote address may hold (default 64; 0: no cap). */
  maxConnectionsPerIp?: number | undefined;
}

/** Twilio waits 15 s for a webhook; everything here must answer well inside that. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Twilio's webhook bodies are a few kB; anything much larger is not Twilio. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.loggerInstance
      ? { loggerInstance: opts.loggerInstance }
      : { logger: opts.logger === undefined ? loggerOptions() : opts.logger }),
    // Fastify's own request lines come before the body is parsed (no CallSid yet);
    // the voice routes log their own line with the CallSid instead.
    logController: new LogController({ disableRequestLogging: true }),
    // No pino child per request: a request's few lines carry its bindings (reqId, callSid).
    childLoggerFactory: requestLoggerFactory,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
    trustProxy: opts.trustProxy ?? false,
    // Timeouts are enforced by a sweep; Node's default sweep runs only every 30 s.
    http: { connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS, headersTimeout: REQUEST_TIMEOUT_MS },
  });
  limitConnectionsPerIp(app.server, opts.maxConnectionsPerIp ?? MAX_CONNECTIONS_PER_IP, (address) =>
    app.log.warn({ address }, 'connection refused: too many open connections from one address'),
  );
  const metrics = opts.metrics ?? createMetrics();
  // One view of the consent log for the voice routes and /readyz: readiness follows the last write.
  const consentLog = new WriteTrackingConsentLog(opts.consentLog, opts.now ?? Date.now);
  await app.register(formbody);
  await app.register(opsRoutes, { registry: opts.registry, consentLog, storeHealth: opts.storeHealth, metrics });
  await app.register(voiceRoutes, {
    registry: opts.registry,
    consentLog,
    switches: opts.switches,
    metrics,
    authToken: opts.authToken,
    publicUrl: opts.publicUrl,
    now: opts.now ?? Date.now,
    recordingStarter: opts.recordingStarter,
    claims: opts.claims,
    identity: opts.identity,
    journal: opts.journal,
    callbacks: opts.callbacks,
  });
  return app;
}
