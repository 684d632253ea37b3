// The supervisor console: a small web UI at /console and its JSON API at /console/api.
// Every route lives in this plugin's own encapsulated context under /console: its cookie,
// CSRF, rate-limit and static plugins, hooks and error handler never touch /voice/* or the
// ops routes. Each API group is a file registered here with one line; they call the same
// domain functions as the CLI (src/consent, src/flow, src/hours, src/simulation).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../config/load.js';
import type { ConfigRegistry } from '../config/registry.js';
import type { CallbackStore } from '../store/callback-port.js';
import type { ConfigVersionStore } from '../store/config-version-port.js';
import type { JourneyStore } from '../store/journey-port.js';
import { MemorySessionStore } from '../store/memory-sessions.js';
import type { ConsentLog, SwitchStore } from '../store/ports.js';
import type { SessionStore } from '../store/session-port.js';
import { AuditLog, DEFAULT_AUDIT_LOG } from './audit.js';
import { registerAuthRoutes } from './auth-routes.js';
import { callbacksApi } from './callbacks-api.js';
import { registerClosureRoutes } from './closure-routes.js';
import { registerClosuresApi } from './closures-api.js';
import { registerConsentRoutes } from './consent-routes.js';
import { refuse, type ConsoleContext } from './context.js';
import { registerFlowRoutes } from './flow-routes.js';
import { consoleGuards } from './guards.js';
import { registerLiveRoutes } from './live-routes.js';
import { noticesApi } from './notices-api.js';
import { reportApi } from './report-api.js';
import { CONSOLE_PREFIX, registerErrorHandler, registerProtections, registerSessionHook } from './security.js';
import { MIN_SECRET_LENGTH } from './session.js';
import { UsersStore } from './users.js';

export { CONSOLE_PREFIX };

export interface ConsoleOptions {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  /** Session versions shared by every instance (logout ends a session everywhere); default: this process. */
  sessions?: SessionStore | undefined;
  /** Call journeys (the dashboard's report and live view); without it those routes are absent. */
  journeys?: JourneyStore | undefined;
  /** Callback requests (issue 14); without it /api/callbacks answers 503. */
  callbacks?: CallbackStore | undefined;
  /** config/users.yaml (names, roles, scrypt hashes). */
  usersFile: string;
  /** Signs the session and CSRF cookies; at least 32 characters (CONSOLE_SESSION_SECRET). */
  sessionSecret: string;
  /** JSON lines of every write; default ./data/console-audit.log */
  auditLogPath?: string | undefined;
  /** The clock (sessions, closures); the default is the system clock. */
  now?: (() => number) | undefined;
  /** Every stored config version and notice text (the DPO's notices page). */
  configVersions?: ConfigVersionStore | undefined;
  /** Mark cookies Secure (behind HTTPS: PUBLIC_URL is https://…). */
  secureCookies?: boolean | undefined;
  /**
   * Sign-in limits per window: `max` consecutive failures per (user, IP), then 429 (default 5
   * per 15 minutes); `perIp` attempts per IP whatever the name (default 50); `perName`
   * consecutive failures per name whatever the IP (default 20: a rotating X-Forwarded-For
   * cannot get round it).
   */
  loginFailures?: { max: number; windowMs: number; perIp?: number; perName?: number } | undefined;
  /** Console answers carry HSTS (PUBLIC_URL is https://…); default: secureCookies. */
  hsts?: boolean | undefined;
}

/** Where the console's static files are: hand-written HTML/CSS and the compiled front end. */
export function webRoots(root = packageRoot()): { publicDir: string; builtDir: string } {
  return { publicDir: join(root, 'web', 'public'), builtDir: join(root, 'dist', 'web') };
}

export async function consolePlugin(app: FastifyInstance, opts: ConsoleOptions): Promise<void> {
  if (opts.sessionSecret.length < MIN_SECRET_LENGTH) {
    throw new Error(`CONSOLE_SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 48)`);
  }
  await app.register(consoleRoutes, { ...opts, prefix: CONSOLE_PREFIX });
}

async function consoleRoutes(app: FastifyInstance, opts: ConsoleOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const users = new UsersStore(opts.usersFile);
  const sessions = opts.sessions ?? new MemorySessionStore();
  const audit = new AuditLog(opts.auditLogPath ?? DEFAULT_AUDIT_LOG);
  const secure = opts.secureCookies ?? false;
  const { publicDir, builtDir } = webRoots();
  if (!existsSync(join(builtDir, 'main.js'))) {
    app.log.warn({ builtDir }, 'console front end not built (run "npm run build"); /console will show no pages');
  }

  await registerProtections(app, { sessionSecret: opts.sessionSecret, secure, hsts: opts.hsts ?? secure });
  const guards = consoleGuards(audit, now);
  registerSessionHook(app, { users, sessions, now });
  registerErrorHandler(app, guards.record);
  const ctx: ConsoleContext = { opts, now, audit, ...guards, csrfCheck: app.csrfProtection.bind(app) };

  // Static front end. Mermaid is copied into dist/web/vendor at build time
  // (scripts/vendor-mermaid.mjs): served locally, so the console works offline.
  await app.register(fastifyStatic, { root: [publicDir, builtDir], prefix: '/', index: ['index.html'], decorateReply: false });
  // "/console" without the slash: the page's relative asset URLs need it.
  app.get('/', { prefixTrailingSlash: 'no-slash' }, async (_req, reply) => reply.redirect(`${CONSOLE_PREFIX}/`));

  registerAuthRoutes(app, ctx, { users, sessions, secure, failures: opts.loginFailures ?? { max: 5, windowMs: 15 * 60_000 } });
  registerFlowRoutes(app, ctx);
  registerLiveRoutes(app, ctx);
  registerClosuresApi(app, ctx);
  registerClosureRoutes(app, ctx);
  registerConsentRoutes(app, ctx);
  await app.register(noticesApi, {
    registry: opts.registry,
    configVersions: opts.configVersions,
    requirePermission: ctx.requirePermission,
    audit: ctx.record,
  });
  if (opts.journeys) await app.register(reportApi, { journeys: opts.journeys, registry: opts.registry, now, requireUser: ctx.requireUser });
  await callbacksApi(app, {
    callbacks: opts.callbacks,
    csrfCheck: ctx.csrfCheck,
    requirePermission: ctx.requirePermission,
    record: ctx.record,
  });

  app.setNotFoundHandler((req, reply) => {
    refuse(reply, 404, { error: `not found: ${req.method} ${req.url.split('?')[0]}`, code: 'notFound' });
  });
}
