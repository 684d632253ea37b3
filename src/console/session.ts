// Console sessions: a stateless cookie, HMAC-signed by @fastify/cookie (CONSOLE_SESSION_SECRET).
//
// Why stateless: the service runs as several instances without sticky sessions (DESIGN.md:
// no session store); a signed cookie works on any instance and survives restarts. What would
// normally need server state is covered by checks on every request instead:
// - expiry: `exp` inside the signed value (8 h), independent of the browser keeping the cookie;
// - revocation: the user must still exist in users.yaml with the same role, and `pw` (a
//   fingerprint of their password hash) must match — removing a user, changing their role or
//   password ends every session of theirs; rotating the secret ends all sessions;
// - `n` (a random nonce) binds the CSRF token to this one session;
// - `g`: the user's session version in the shared SessionStore at sign-in. Logout (and
//   `user add`/`user remove` changing the user) raises it, ending every copy of the cookie
//   on every instance at once.
import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type ConsoleUser, type Role } from './users.js';

export const SESSION_COOKIE = 'infoline_console';
export const SESSION_TTL_MS = 8 * 3600_000;

export interface SessionData {
  /** user name */
  u: string;
  r: Role;
  /** expiry, ms since the epoch */
  exp: number;
  /** fingerprint of the password hash */
  pw: string;
  /** per-session nonce (CSRF binding) */
  n: string;
  /** the user's session version at sign-in (SessionStore): raised by logout, ends this session */
  g: number;
}

export function passwordFingerprint(user: ConsoleUser): string {
  return createHash('sha256').update(user.passwordHash).digest('base64url').slice(0, 16);
}

export function newSession(user: ConsoleUser, now: number, version: number): SessionData {
  return {
    u: user.name,
    r: user.role,
    exp: now + SESSION_TTL_MS,
    pw: passwordFingerprint(user),
    n: randomBytes(12).toString('base64url'),
    g: version,
  };
}

export function encodeSession(s: SessionData): string {
  return Buffer.from(JSON.stringify(s)).toString('base64url');
}

/** The session in an (already signature-checked) cookie value, or undefined when malformed. */
export function decodeSession(value: string): SessionData | undefined {
  try {
    const raw = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<SessionData>;
    if (
      typeof raw.u !== 'string' ||
      typeof raw.exp !== 'number' ||
      typeof raw.pw !== 'string' ||
      typeof raw.n !== 'string' ||
      typeof raw.g !== 'number'
    )
      return undefined;
    if (!(ROLES as readonly string[]).includes(raw.r as string)) return undefined;
    return raw as SessionData;
  } catch {
    return undefined;
  }
}

/** A session is valid until `exp` and only while its user is unchanged in users.yaml. */
export function sessionValid(s: SessionData, user: ConsoleUser | undefined, now: number): user is ConsoleUser {
  return user !== undefined && now < s.exp && user.role === s.r && passwordFingerprint(user) === s.pw;
}

/** CONSOLE_SESSION_SECRET's minimum length (it signs the session and CSRF cookies). */
export const MIN_SECRET_LENGTH = 32;
