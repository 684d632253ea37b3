// Sign-in, sign-out and the session endpoint, with the sign-in limits: consecutive failures
// per (user, IP), per name from any address, and attempts per IP; scrypt checks through a gate.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SessionStore } from '../store/session-port.js';
import { refuse, type ConsoleContext } from './context.js';
import type { LoginBody, SessionInfo, User } from './contracts/session.js';
import { BUSY, Gate } from './gate.js';
import { parse } from './parse.js';
import { ANONYMOUS, CONSOLE_PREFIX } from './security.js';
import { encodeSession, newSession, SESSION_COOKIE, SESSION_TTL_MS } from './session.js';
import { can, dummyPasswordHash, verifyPassword, type ConsoleUser, type UsersStore } from './users.js';

const loginBody = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) }) satisfies z.ZodType<
  unknown,
  LoginBody
>;

export interface AuthDeps {
  users: UsersStore;
  sessions: SessionStore;
  secure: boolean;
  failures: { max: number; windowMs: number; perIp?: number; perName?: number };
}

const userView = (u: ConsoleUser): User => ({
  name: u.name,
  role: u.role,
  permissions: (['read', 'closures', 'consents'] as const).filter((p) => can(u.role, p)),
});

const nameOf = (req: FastifyRequest) => {
  const body = (req.body ?? {}) as { name?: unknown };
  return typeof body.name === 'string' ? body.name.trim().toLowerCase().slice(0, 64) : '';
};

export function registerAuthRoutes(app: FastifyInstance, ctx: ConsoleContext, deps: AuthDeps): void {
  const { users, sessions, secure, failures } = deps;
  const { now, record, csrfCheck } = ctx;
  // Failed sign-ins per (user, IP): @fastify/rate-limit counts each attempt under a key that
  // changes after a successful sign-in, so only consecutive failures add up; the attempt after
  // the `max`-th failure in the window gets 429, with the right password too.
  const generation = new Map<string, number>();
  const loginKey = (req: FastifyRequest): string => {
    const base = `${nameOf(req)}|${req.ip}`;
    return `login:${base}:${generation.get(base) ?? 0}`;
  };
  const countAttempt = app.createRateLimit({ max: failures.max, timeWindow: failures.windowMs, keyGenerator: loginKey });
  // Every attempt from one IP, whatever the name (name spraying); generous for an office NAT.
  // Consecutive failures per name, from any address (reset by a successful sign-in).
  const nameGeneration = new Map<string, number>();
  const countNameAttempt = app.createRateLimit({
    max: failures.perName ?? 20,
    timeWindow: failures.windowMs,
    keyGenerator: (req) => `login-name:${nameOf(req)}:${nameGeneration.get(nameOf(req)) ?? 0}`,
  });
  const countIpAttempt = app.createRateLimit({
    max: failures.perIp ?? 50,
    timeWindow: failures.windowMs,
    keyGenerator: (req) => `login-ip:${req.ip}`,
  });
  // scrypt costs ≈128 MiB and ≈0.3 s of a libuv thread: at most two at once, so sign-in
  // attempts can never starve the voice routes of memory or of the thread pool.
  const hashing = new Gate(2, 16);
  const forgetFailures = (req: FastifyRequest) => {
    const base = `${nameOf(req)}|${req.ip}`;
    if (generation.size > 10_000) generation.clear();
    generation.set(base, (generation.get(base) ?? 0) + 1);
    if (nameGeneration.size > 10_000) nameGeneration.clear();
    nameGeneration.set(nameOf(req), (nameGeneration.get(nameOf(req)) ?? 0) + 1);
  };

  app.get('/api/session', async (req, reply): Promise<SessionInfo> => {
    const token = reply.generateCsrf({ userInfo: req.consoleSession?.n ?? ANONYMOUS });
    return { user: req.consoleUser ? userView(req.consoleUser) : null, csrfToken: token };
  });

  app.post('/api/login', { onRequest: csrfCheck }, async (req, reply) => {
    const body = parse(loginBody, req.body, { code: 'login.missing', message: () => 'name and password are required' });
    const name = body.name.trim().toLowerCase();
    const ipLimit = await countIpAttempt(req);
    const nameLimit = ipLimit.isAllowed || !ipLimit.isExceeded ? await countNameAttempt(req) : ipLimit;
    const limit = nameLimit.isAllowed || !nameLimit.isExceeded ? await countAttempt(req) : nameLimit;
    if (!limit.isAllowed && limit.isExceeded) {
      await record(req, { who: name, action: 'login', target: null, result: 'rate-limited' });
      reply.header('retry-after', String(limit.ttlInSeconds));
      return refuse(reply, 429, {
        error: `too many failed sign-ins; try again in ${Math.ceil(limit.ttlInSeconds / 60)} min`,
        code: 'login.rateLimited',
        params: { minutes: Math.ceil(limit.ttlInSeconds / 60) },
      });
    }
    const user = users.get(name);
    const stored = user?.passwordHash ?? (await dummyPasswordHash());
    const ok = await hashing.run(() => verifyPassword(body.password, stored));
    if (ok === BUSY) {
      req.log.warn('console sign-in refused: too many password checks at once');
      reply.header('retry-after', '5');
      return refuse(reply, 503, { error: 'too many sign-ins at this moment; try again in a few seconds', code: 'login.busy' });
    }
    if (!user || !ok) {
      await record(req, { who: name, action: 'login', target: null, result: 'failed' });
      return refuse(reply, 401, { error: 'wrong name or password', code: 'login.invalid' });
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
    const answer: SessionInfo = { user: userView(user), csrfToken: reply.generateCsrf({ userInfo: session.n }) };
    return answer;
  });

  app.post('/api/logout', { onRequest: csrfCheck }, async (req, reply): Promise<SessionInfo> => {
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
}
