// The supervisor console: a small web UI at /console and its JSON API at /console/api.
// Every route lives in this plugin's own encapsulated context under /console: its cookie,
// CSRF, rate-limit and static plugins, hooks and error handler never touch /voice/* or the
// ops routes. The API calls the same domain functions as the CLI (src/consent, src/flow, src/hours, src/simulation): the simulator
// plays calls through the real webhooks, the graph is `flowGraph`, the hours `scheduleDays`
// with the CLI's day text, the export `csvLines`/`jsonLines`, closures the same SwitchStore.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { activeClosure, scheduleStatus } from '../call/compiled.js';
import { activeLineClosure, LINE_CLOSURE_ID } from '../call/line.js';
import { flowGraph } from '../flow/graph.js';
import { dayText } from '../hours/day-text.js';
import { LINE_ZONE, parseInstant, parseUntil } from '../hours/time-input.js';
import { formatIssue } from '../config/issues.js';
import { packageRoot } from '../config/load.js';
import type { ConfigRegistry } from '../config/registry.js';
import { scheduleDays } from '../hours/engine.js';
import type { Schedule } from '../hours/types.js';
import type { ConsentLog, EmergencyClosure, SwitchStore } from '../store/ports.js';
import { MemorySessionStore } from '../store/memory-sessions.js';
import type { ConfigVersionStore } from '../store/config-version-port.js';
import type { SessionStore } from '../store/session-port.js';
import { AuditLog, AuditUnavailableError, DEFAULT_AUDIT_LOG, type AuditEntry } from './audit.js';
import { noticesApi } from './notices-api.js';
import { reportApi } from './report-api.js';
import type { JourneyStore } from '../store/journey-port.js';
import { dayOrInstant, HttpError, type ConsoleContext } from './context.js';
import { registerClosureRoutes } from './closure-routes.js';
import { registerConsentRoutes } from './consent-routes.js';
import { registerFlowRoutes } from './flow-routes.js';
import { decodeSession, encodeSession, MIN_SECRET_LENGTH, newSession, SESSION_COOKIE, SESSION_TTL_MS, sessionValid, type SessionData } from './session.js';
import { KEYS, simulateOnConsole } from './simulate.js';
import { callbacksApi } from './callbacks-api.js';
import type { CallbackStore } from '../store/callback-port.js';
import { can, dummyPasswordHash, UsersStore, verifyPassword, type ConsoleUser, type Permission } from './users.js';
import { hasOwn } from '../util/own.js';

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

export const CONSOLE_PREFIX = '/console';
/** CSRF binding before sign-in (@fastify/csrf needs a non-empty userInfo). */
const ANONYMOUS = 'anonymous';

/** Where the console's static files are: hand-written HTML/CSS and the compiled front end. */
export function webRoots(root = packageRoot()): { publicDir: string; builtDir: string } {
  return { publicDir: join(root, 'web', 'public'), builtDir: join(root, 'dist', 'web') };
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser?: ConsoleUser;
    consoleSession?: SessionData;
  }
}

const BUSY = Symbol('busy');

/** At most `max` tasks at once, `queue` more waiting; beyond that, BUSY at once. */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly queue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T | typeof BUSY> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.queue) return BUSY;
      await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const loginBody = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const simulateBody = z.object({
  at: z.string().min(1).max(40),
  language: z.string().regex(/^[a-z]{2}$/).default('cs'),
  inputs: z.array(z.enum(KEYS)).max(30).default([]),
  untilEnd: z.boolean().default(false),
});
const closeBody = z.object({
  schedule: z.string().min(1).max(64),
  until: z.string().min(1).max(40),
  reason: z.string().trim().min(1, { error: 'a reason is required (callers hear it)' }).max(200),
});
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
  const hsts = opts.hsts ?? secure;
  const failures = opts.loginFailures ?? { max: 5, windowMs: 15 * 60_000 };
  const { publicDir, builtDir } = webRoots();
  if (!existsSync(join(builtDir, 'main.js'))) {
    app.log.warn({ builtDir }, 'console front end not built (run "npm run build"); /console will show no pages');
  }

  await app.register(cookie, { secret: opts.sessionSecret, hook: 'onRequest' });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'infoline_csrf',
    cookieOpts: { path: CONSOLE_PREFIX, sameSite: 'strict', httpOnly: true, secure, signed: true },
    getToken: (req: FastifyRequest) => {
      const h = req.headers['x-csrf-token'];
      return typeof h === 'string' ? h : undefined;
    },
    // The token is bound to the session: a token from before sign-in is useless after it.
    getUserInfo: (req: FastifyRequest) => req.consoleSession?.n ?? ANONYMOUS,
    csrfOpts: { hmacKey: createHash('sha256').update(`infoline-console-csrf\0${opts.sessionSecret}`).digest() },
  });
  await app.register(rateLimit, { global: false });

  // Failed sign-ins per (user, IP): @fastify/rate-limit counts each attempt under a key that
  // changes after a successful sign-in, so only consecutive failures add up; the attempt after
  // the `max`-th failure in the window gets 429, with the right password too.
  const generation = new Map<string, number>();
  const loginKey = (req: FastifyRequest): string => {
    const body = (req.body ?? {}) as { name?: unknown };
    const name = typeof body.name === 'string' ? body.name.trim().toLowerCase().slice(0, 64) : '';
    const base = `${name}|${req.ip}`;
    return `login:${base}:${generation.get(base) ?? 0}`;
  };
  const countAttempt = app.createRateLimit({ max: failures.max, timeWindow: failures.windowMs, keyGenerator: loginKey });
  // Every attempt from one IP, whatever the name (name spraying); generous for an office NAT.
  // Consecutive failures per name, from any address (reset by a successful sign-in).
  const nameGeneration = new Map<string, number>();
  const nameOf = (req: FastifyRequest) => {
    const body = (req.body ?? {}) as { name?: unknown };
    return typeof body.name === 'string' ? body.name.trim().toLowerCase().slice(0, 64) : '';
  };
  const countNameAttempt = app.createRateLimit({
    max: failures.perName ?? 20,
    timeWindow: failures.windowMs,
    keyGenerator: (req) => `login-name:${nameOf(req)}:${nameGeneration.get(nameOf(req)) ?? 0}`,
  });
  const countIpAttempt = app.createRateLimit({ max: failures.perIp ?? 50, timeWindow: failures.windowMs, keyGenerator: (req) => `login-ip:${req.ip}` });
  // scrypt costs ≈128 MiB and ≈0.3 s of a libuv thread: at most two at once, so sign-in
  // attempts can never starve the voice routes of memory or of the thread pool.
  const hashing = new Gate(2, 16);
  const forgetFailures = (req: FastifyRequest) => {
    const body = (req.body ?? {}) as { name?: unknown };
    const base = `${typeof body.name === 'string' ? body.name.trim().toLowerCase().slice(0, 64) : ''}|${req.ip}`;
    if (generation.size > 10_000) generation.clear();
    generation.set(base, (generation.get(base) ?? 0) + 1);
    if (nameGeneration.size > 10_000) nameGeneration.clear();
    nameGeneration.set(nameOf(req), (nameGeneration.get(nameOf(req)) ?? 0) + 1);
  };

  // Audit first: every action is recorded before it is done; an unwritable audit log refuses it.
  const record = async (req: FastifyRequest, entry: Omit<AuditEntry, 'at' | 'who' | 'role' | 'ip'> & { who?: string }) => {
    const written = audit.write({
      at: new Date(now()).toISOString(),
      who: entry.who ?? req.consoleUser?.name ?? 'anonymous',
      role: req.consoleUser?.role ?? null,
      ip: req.ip,
      action: entry.action,
      target: entry.target,
      result: entry.result,
      ...(entry.details ? { details: entry.details } : {}),
    });
    try {
      await written;
    } catch (err) {
      req.log.error({ err, action: entry.action }, 'console audit log not writable; the action is refused');
      throw new AuditUnavailableError(err);
    }
  };

  /** Does an audited action; if it then fails, a second line says so (best effort). */
  const afterAudit = async <T>(req: FastifyRequest, action: string, target: string, act: () => Promise<T>): Promise<T> => {
    try {
      return await act();
    } catch (err) {
      await record(req, { action, target, result: 'failed' }).catch(() => undefined);
      throw err;
    }
  };

  // Security headers for every console answer; the API is never cached.
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (req.url.startsWith(`${CONSOLE_PREFIX}/api/`)) reply.header('cache-control', 'no-store');
    return payload;
  });

  // The session (if any) on every console request, before CSRF checks bind to it.
  app.addHook('onRequest', async (req) => {
    const raw = req.cookies[SESSION_COOKIE];
    if (raw === undefined) return;
    const unsigned = req.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return;
    const session = decodeSession(unsigned.value);
    if (!session) return;
    const user = users.get(session.u);
    if (!sessionValid(session, user, now())) return;
    let current: number;
    try {
      current = await sessions.version(session.u);
    } catch (err) {
      // A session that cannot be checked against logouts is not accepted (fail closed).
      req.log.error({ err }, 'console session store unreachable; request treated as signed out');
      return;
    }
    if (current !== session.g) return;
    req.consoleSession = session;
    req.consoleUser = user;
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (error instanceof AuditUnavailableError) {
      return reply.code(503).send({ error: error.message, code: error.code });
    }
    if (error.code === 'FST_CSRF_MISSING_SECRET' || error.code === 'FST_CSRF_INVALID_TOKEN') {
      // A forged or stale write is audited too (best effort: it is refused either way).
      await record(req, { action: 'csrf', target: `${req.method} ${req.url.split('?')[0] ?? ''}`, result: 'denied' }).catch(() => undefined);
      return reply.code(403).send({ error: 'CSRF token missing or invalid: reload the page and try again', code: 'csrf' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500 && !(error instanceof HttpError)) {
      req.log.error({ err: error }, 'console request failed');
      return reply.code(500).send({ error: 'internal error (see the service log)', code: 'internal' });
    }
    if (error instanceof HttpError) return reply.code(status).send({ error: error.message, code: error.code, params: error.params });
    return reply.code(status).send({ error: error.message, code: 'invalid' });
  });

  const requireUser = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.consoleUser) return reply.code(401).send({ error: 'sign in first', code: 'auth.required' });
  };
  const requirePermission = (permission: Permission, action: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const user = req.consoleUser;
    if (!user) return reply.code(401).send({ error: 'sign in first', code: 'auth.required' });
    if (!can(user.role, permission)) {
      await record(req, { action, target: req.url, result: 'denied' });
      return reply.code(403).send({ error: `the role "${user.role}" may not do this (${action})`, code: 'auth.forbidden', params: { role: user.role, action } });
    }
  };
  const csrfCheck = app.csrfProtection.bind(app);
  const bad = (message: string, code = 'invalid', params: Record<string, string | number> = {}) => new HttpError(400, message, code, params);
  const userView = (u: ConsoleUser) => ({
    name: u.name,
    role: u.role,
    permissions: (['read', 'closures', 'consents'] as const).filter((p) => can(u.role, p)),
  });
  const currentBundle = () => {
    const config = opts.registry.current;
    if (!config) throw new HttpError(503, 'no configuration loaded', 'config.missing');
    return config.bundle;
  };

  const ctx: ConsoleContext = { opts, now, audit, requireUser, requirePermission, csrfCheck, record };
  registerFlowRoutes(app, ctx);
  registerConsentRoutes(app, ctx);
  registerClosureRoutes(app, ctx);

  // --- Static front end ---------------------------------------------------------------------
  await app.register(fastifyStatic, { root: [publicDir, builtDir], prefix: '/', index: ['index.html'], decorateReply: false });
  // "/console" without the slash: the page's relative asset URLs need it.
  app.get('/', { prefixTrailingSlash: 'no-slash' }, async (_req, reply) => reply.redirect(`${CONSOLE_PREFIX}/`));
  // Mermaid is copied into dist/web/vendor at build time (scripts/vendor-mermaid.mjs): served
  // locally, so the console works offline, and the production image needs no mermaid package.

  // --- Session --------------------------------------------------------------------------------
  app.get('/api/session', async (req, reply) => {
    const token = reply.generateCsrf({ userInfo: req.consoleSession?.n ?? ANONYMOUS });
    return { user: req.consoleUser ? userView(req.consoleUser) : null, csrfToken: token };
  });

  app.post('/api/login', { onRequest: csrfCheck }, async (req, reply) => {
    const body = loginBody.safeParse(req.body);
    if (!body.success) throw bad('name and password are required', 'login.missing');
    const name = body.data.name.trim().toLowerCase();
    const ipLimit = await countIpAttempt(req);
    const nameLimit = ipLimit.isAllowed || !ipLimit.isExceeded ? await countNameAttempt(req) : ipLimit;
    const limit = nameLimit.isAllowed || !nameLimit.isExceeded ? await countAttempt(req) : nameLimit;
    if (!limit.isAllowed && limit.isExceeded) {
      await record(req, { who: name, action: 'login', target: null, result: 'rate-limited' });
      reply.header('retry-after', String(limit.ttlInSeconds));
      return reply.code(429).send({ error: `too many failed sign-ins; try again in ${Math.ceil(limit.ttlInSeconds / 60)} min`, code: 'login.rateLimited', params: { minutes: Math.ceil(limit.ttlInSeconds / 60) } });
    }
    const user = users.get(name);
    const stored = user?.passwordHash ?? (await dummyPasswordHash());
    const ok = await hashing.run(() => verifyPassword(body.data.password, stored));
    if (ok === BUSY) {
      req.log.warn('console sign-in refused: too many password checks at once');
      reply.header('retry-after', '5');
      return reply.code(503).send({ error: 'too many sign-ins at this moment; try again in a few seconds', code: 'login.busy' });
    }
    if (!user || !ok) {
      await record(req, { who: name, action: 'login', target: null, result: 'failed' });
      return reply.code(401).send({ error: 'wrong name or password', code: 'login.invalid' });
    }
    req.consoleUser = user;
    await record(req, { action: 'login', target: null, result: 'ok' });
    forgetFailures(req);
    const session = newSession(user, now(), await sessions.version(user.name));
    reply.setCookie(SESSION_COOKIE, encodeSession(session), {
      path: CONSOLE_PREFIX,
      httpOnly: true,
      sameSite: 'strict',
      secure,
      signed: true,
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    req.consoleSession = session;
    return { user: userView(user), csrfToken: reply.generateCsrf({ userInfo: session.n }) };
  });

  app.post('/api/logout', { onRequest: csrfCheck }, async (req, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: CONSOLE_PREFIX, httpOnly: true, sameSite: 'strict', secure, signed: true });
    if (req.consoleUser) {
      // Ending sessions only takes rights away: it is done even when the audit line fails.
      const audited = record(req, { action: 'logout', target: null, result: 'ok' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      await sessions.endSessions(req.consoleUser.name);
      const failed = await audited;
      if (failed !== undefined) throw failed;
    }
    return { user: null, csrfToken: reply.generateCsrf({ userInfo: ANONYMOUS }) };
  });

  // --- Flow -----------------------------------------------------------------------------------
  app.get('/api/flow', { preHandler: requireUser }, async () => {
    const config = opts.registry.current;
    return {
      version: config?.version ?? null,
      loadedAt: opts.registry.loadedAt?.toISOString() ?? null,
      mermaid: config ? flowGraph(config.bundle) : null,
      languages: config?.speech.languages ?? [],
      refused: opts.registry.lastRefused?.map((issue) => ({ ...issue, text: formatIssue(issue) })) ?? null,
    };
  });

  // --- Simulator (reads only: consents go to a memory log; CSRF still required, it is a POST)
  // Each simulation builds an app and plays a call (a few ms of CPU): limited per user so the
  // console can never take CPU from the voice routes in earnest.
  const simulateLimit = { max: 120, timeWindow: 60_000, hook: 'preHandler' as const, keyGenerator: (req: FastifyRequest) => `sim:${req.consoleUser?.name ?? req.ip}` };
  app.post('/api/simulate', { onRequest: csrfCheck, preHandler: requireUser, config: { rateLimit: simulateLimit } }, async (req) => {
    const body = simulateBody.safeParse(req.body);
    if (!body.success) throw bad(`invalid simulation: ${body.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const config = opts.registry.current;
    if (!config) throw new HttpError(503, 'no configuration loaded', 'config.missing');
    if (!config.speech.languages.includes(body.data.language)) throw bad(`no prompts in language "${body.data.language}"`, 'simulate.language', { language: body.data.language });
    let at: number;
    try {
      at = parseInstant(body.data.at, 'time');
    } catch (err) {
      throw bad((err as Error).message, 'time.invalid', { value: body.data.at });
    }
    return simulateOnConsole({ registry: opts.registry, switches: opts.switches }, { at, language: body.data.language, inputs: body.data.inputs, untilEnd: body.data.untilEnd });
  });

  // --- Hours ----------------------------------------------------------------------------------
  app.get('/api/hours', { preHandler: requireUser }, async (req) => {
    const q = req.query as { from?: unknown; days?: unknown };
    const bundle = currentBundle();
    let from = now();
    if (typeof q.from === 'string' && q.from !== '') {
      try {
        from = dayOrInstant(q.from, 'from', false);
      } catch (err) {
        throw bad((err as Error).message, 'time.invalid', { value: q.from });
      }
    }
    const days = typeof q.days === 'string' && /^\d{1,3}$/.test(q.days) ? Math.min(Math.max(Number(q.days), 1), 62) : 14;
    const closures = await opts.switches.closures();
    return {
      from: new Date(from).toISOString(),
      zone: LINE_ZONE,
      days,
      schedules: Object.entries(bundle.hours.schedules).map(([id, s]) => {
        const schedule = s as Schedule;
        const emergency = activeClosure(closures, id, from);
        return {
          id,
          name: schedule.name ?? id,
          timezone: schedule.timezone,
          emergency: emergency ?? null,
          days: scheduleDays(schedule, new Date(from), days, emergency).map((day) => ({ ...day, text: dayText(day) })),
        };
      }),
    };
  });

  // --- Emergency closures ---------------------------------------------------------------------
  app.get('/api/closures', { preHandler: requireUser }, async () => {
    const bundle = currentBundle();
    const closures = await opts.switches.closures();
    const at = now();
    return {
      now: new Date(at).toISOString(),
      line: activeLineClosure(closures, at) ?? null,
      schedules: Object.keys(bundle.hours.schedules).map((id) => {
        const status = scheduleStatus(bundle, id, at, closures)?.status;
        return {
          id,
          name: (bundle.hours.schedules[id] as Schedule).name ?? id,
          closure: activeClosure(closures, id, at) ?? null,
          open: status?.open ?? false,
          nextOpening: status && !status.open ? (status.nextOpening?.toISOString() ?? null) : null,
          closesAt: status?.open ? (status.closesAt?.toISOString() ?? null) : null,
        };
      }),
    };
  });

  app.post('/api/closures', { onRequest: csrfCheck, preHandler: requirePermission('closures', 'closure.set') }, async (req) => {
    const body = closeBody.safeParse(req.body);
    if (!body.success) throw bad(body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), body.error.issues.some((i) => i.path[0] === 'reason') ? 'closure.reason' : 'closure.invalid');
    const bundle = currentBundle();
    if (body.data.schedule !== LINE_CLOSURE_ID && !hasOwn(bundle.hours.schedules, body.data.schedule)) throw bad(`no schedule "${body.data.schedule}" in config/hours.yaml`, 'closure.schedule', { schedule: body.data.schedule });
    const at = now();
    let until: number;
    try {
      until = parseUntil(body.data.until, at);
    } catch (err) {
      throw bad((err as Error).message, 'closure.until', { value: body.data.until });
    }
    if (until <= at) throw bad(`the end ${new Date(until).toISOString()} is already in the past`, 'closure.past', { until: new Date(until).toISOString() });
    const closure: EmergencyClosure = { schedule: body.data.schedule, until: new Date(until).toISOString(), reason: body.data.reason, since: new Date(at).toISOString() };
    await record(req, { action: 'closure.set', target: closure.schedule, result: 'ok', details: { until: closure.until, reason: closure.reason } });
    await afterAudit(req, 'closure.set', closure.schedule, () => opts.switches.setClosure(closure));
    return { closure };
  });

  app.delete('/api/closures/:schedule', { onRequest: csrfCheck, preHandler: requirePermission('closures', 'closure.clear') }, async (req) => {
    const { schedule } = req.params as { schedule: string };
    const bundle = currentBundle();
    if (schedule !== LINE_CLOSURE_ID && !hasOwn(bundle.hours.schedules, schedule)) throw new HttpError(404, `no schedule "${schedule}"`, 'closure.schedule', { schedule });
    const stored = (await opts.switches.closures()).some((c) => c.schedule === schedule);
    await record(req, { action: 'closure.clear', target: schedule, result: 'ok', details: { removed: stored } });
    const removed = await afterAudit(req, 'closure.clear', schedule, () => opts.switches.clearClosure(schedule));
    return { removed };
  });

  await app.register(noticesApi, { registry: opts.registry, configVersions: opts.configVersions, requirePermission, audit: record });
  if (opts.journeys) await app.register(reportApi, { journeys: opts.journeys, registry: opts.registry, now, requireUser });
  await callbacksApi(app, { callbacks: opts.callbacks, csrfCheck, requirePermission, record });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: `not found: ${req.method} ${req.url.split('?')[0]}`, code: 'notFound' });
  });
}
