// The console context's protections: signed cookies, CSRF bound to the session, rate limits,
// security headers, the session read on every request, and the error answers (JSON the page
// words). Registered in this order by plugin.ts, inside /console only.
import { createHash } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionStore } from '../store/session-port.js';
import { AuditUnavailableError } from './audit.js';
import { HttpError, refuse, type ConsoleContext } from './context.js';
import { decodeSession, SESSION_COOKIE, sessionValid, type SessionData } from './session.js';
import type { ConsoleUser, UsersStore } from './users.js';

export const CONSOLE_PREFIX = '/console';
/** CSRF binding before sign-in (@fastify/csrf needs a non-empty userInfo). */
export const ANONYMOUS = 'anonymous';

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser?: ConsoleUser;
    consoleSession?: SessionData;
  }
}

export async function registerProtections(
  app: FastifyInstance,
  opts: { sessionSecret: string; secure: boolean; hsts: boolean },
): Promise<void> {
  const { secure, hsts } = opts;
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

  // Security headers for every console answer; the API is never cached.
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (req.url.startsWith(`${CONSOLE_PREFIX}/api/`)) reply.header('cache-control', 'no-store');
    return payload;
  });
}

/** The session (if any) on every console request, before CSRF checks bind to it. */
export function registerSessionHook(app: FastifyInstance, deps: { users: UsersStore; sessions: SessionStore; now: () => number }): void {
  app.addHook('onRequest', async (req) => {
    const raw = req.cookies[SESSION_COOKIE];
    if (raw === undefined) return;
    const unsigned = req.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return;
    const session = decodeSession(unsigned.value);
    if (!session) return;
    const user = deps.users.get(session.u);
    if (!sessionValid(session, user, deps.now())) return;
    let current: number;
    try {
      current = await deps.sessions.version(session.u);
    } catch (err) {
      // A session that cannot be checked against logouts is not accepted (fail closed).
      req.log.error({ err }, 'console session store unreachable; request treated as signed out');
      return;
    }
    if (current !== session.g) return;
    req.consoleSession = session;
    req.consoleUser = user;
  });
}

export function registerErrorHandler(app: FastifyInstance, record: ConsoleContext['record']): void {
  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (error instanceof AuditUnavailableError) {
      return refuse(reply, 503, { error: error.message, code: error.code });
    }
    if (error.code === 'FST_CSRF_MISSING_SECRET' || error.code === 'FST_CSRF_INVALID_TOKEN') {
      // A forged or stale write is audited too (best effort: it is refused either way).
      await record(req, { action: 'csrf', target: `${req.method} ${req.url.split('?')[0] ?? ''}`, result: 'denied' }).catch(
        () => undefined,
      );
      return refuse(reply, 403, { error: 'CSRF token missing or invalid: reload the page and try again', code: 'csrf' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500 && !(error instanceof HttpError)) {
      req.log.error({ err: error }, 'console request failed');
      return refuse(reply, 500, { error: 'internal error (see the service log)', code: 'internal' });
    }
    if (error instanceof HttpError) return refuse(reply, status, { error: error.message, code: error.code, params: error.params });
    return refuse(reply, status, { error: error.message, code: 'invalid' });
  });
}
