// The environment as one zod schema: every variable of README's table, parsed into typed
// settings. Read only at the edges (src/main.ts readEnv, src/cli/main.ts) and passed down.
// Each message names its variable; cross-variable rules (production) run after the fields.
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_JOURNEY_RETENTION_DAYS } from '../store/journey-recorder.js';
import { packageRoot } from './load.js';

export class EnvError extends Error {}

/** Raw variables, as process.env holds them. */
export type RawEnv = Record<string, string | undefined>;

/** The default of CONSOLE_AUDIT_LOG (also the CLI's `audit` file). */
export const DEFAULT_AUDIT_LOG = './data/console-audit.log';
export const DEFAULT_CALLBACK_TICK_MS = 3000;
/** The default of CONFIG_CACHE_DIR (src/config/bundle-cache.ts): beside the data, kept across restarts. */
export const DEFAULT_CONFIG_CACHE_DIR = './data/config-cache';
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const BASE_URL = /^https?:\/\/[^/]+/;

/** A variable's text, trimmed; empty counts as unset. */
const text = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

/** A trimmed variable checked by `ok`; `message(v)` names the variable when it is wrong. */
function checked(ok: (v: string) => boolean, message: (v: string) => string) {
  return text.superRefine((v, ctx) => {
    if (v !== undefined && !ok(v)) ctx.addIssue({ code: 'custom', message: message(v) });
  });
}

/** A whole number of at most `digits` digits; unset or blank gives `unset`. */
function wholeNumber<U extends number | undefined>(name: string, digits: number, meaning: string, unset: U) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): number | U => {
      const value = raw?.trim() ?? '';
      if (value === '') return unset;
      if (/^\d+$/.test(value) && value.length <= digits) return Number(value);
      ctx.addIssue({ code: 'custom', message: `${name} must be a whole number${meaning}, got "${raw}"` });
      return z.NEVER;
    });
}

export const envSchema = z.object({
  NODE_ENV: text,
  PORT: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const port = Number(raw ?? '3000');
      if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
      ctx.addIssue({ code: 'custom', message: `PORT must be a port number, got "${raw}"` });
      return z.NEVER;
    }),
  HOST: text.transform((v) => v ?? '0.0.0.0'),
  PUBLIC_URL: checked(
    (v) => BASE_URL.test(v),
    (v) => `PUBLIC_URL must be the base URL Twilio calls, like https://ivr.example.org, got "${v}"`,
  ),
  TWILIO_AUTH_TOKEN: text,
  TWILIO_ACCOUNT_SID: checked(
    (v) => ACCOUNT_SID.test(v),
    () => 'TWILIO_ACCOUNT_SID must be an account SID (AC followed by 32 hex digits)',
  ),
  // Checked only when the REST API is used (twilioProblem), as before.
  TWILIO_API_URL: text,
  CALLBACK_TICK_MS: z
    .string()
    .optional()
    .transform((raw) => {
      // Lenient as before: a tick under 100 ms or not a number falls back to the default.
      const tick = Number(raw ?? DEFAULT_CALLBACK_TICK_MS);
      return Number.isFinite(tick) && tick >= 100 ? tick : DEFAULT_CALLBACK_TICK_MS;
    }),
  // Simultaneous connections one address may hold; behind a load balancer that is the balancer's.
  MAX_CONNECTIONS_PER_IP: wholeNumber('MAX_CONNECTIONS_PER_IP', 6, ' (0: no cap)', undefined),
  DATABASE_URL: text,
  REDIS_URL: text,
  CONSENT_SPOOL_PATH: text,
  // Not trimmed (as before): a directory name is taken as given.
  INFOLINE_CONFIG_DIR: z
    .string()
    .optional()
    .transform((v) => (v !== undefined && v !== '' ? resolve(v) : packageRoot())),
  LOG_LEVEL: text,
  // Where the bundled server keeps the last validated config between starts; "off": nowhere.
  CONFIG_CACHE_DIR: text.transform((v) => (v === 'off' ? undefined : resolve(v ?? DEFAULT_CONFIG_CACHE_DIR))),
  TRUST_PROXY: text,
  CONSOLE_SESSION_SECRET: text,
  CONSOLE_USERS_FILE: text,
  CONSOLE_AUDIT_LOG: text.transform((v) => resolve(v ?? DEFAULT_AUDIT_LOG)),
  JOURNEY_RETENTION_DAYS: wholeNumber('JOURNEY_RETENTION_DAYS', 5, ' of days (0 keeps journeys)', DEFAULT_JOURNEY_RETENTION_DAYS),
  IDENTITY_STATE_KEY: text,
  IDENTITY_WEBHOOK_URL: checked(
    (v) => /^https?:\/\/[^/\s]+/.test(v),
    (v) => `IDENTITY_WEBHOOK_URL must be an http(s) URL, got "${v}"`,
  ),
  IDENTITY_WEBHOOK_SECRET: text,
});

export type Env = z.output<typeof envSchema>;
export type EnvName = keyof Env;

/**
 * Parses the named variables only (all when `names` is omitted): a CLI command reads what it
 * uses, so a wrong PORT does not stop `infoline graph`. Throws EnvError with the first problem.
 */
export function parseEnv(raw: RawEnv): Env;
export function parseEnv<K extends EnvName>(raw: RawEnv, names: readonly K[]): Pick<Env, K>;
export function parseEnv(raw: RawEnv, names?: readonly EnvName[]): Partial<Env> {
  const schema = names === undefined ? envSchema : envSchema.pick(Object.fromEntries(names.map((n) => [n, true])) as Record<EnvName, true>);
  // Read once: zod's JIT would compile a parser for this one use (see safeParsePlain).
  const result = schema.safeParse(raw, { jitless: true });
  if (!result.success) throw new EnvError(result.error.issues[0]?.message ?? 'the environment is invalid');
  return result.data;
}

/** INFOLINE_CONFIG_DIR resolved, else the repository root. */
export function configDir(raw: RawEnv): string {
  return parseEnv(raw, ['INFOLINE_CONFIG_DIR']).INFOLINE_CONFIG_DIR;
}

/** What openStores needs: DATABASE_URL, REDIS_URL and (with PostgreSQL) CONSENT_SPOOL_PATH. */
export function storeSettings(raw: RawEnv): {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  spoolPath: string | undefined;
} {
  const env = parseEnv(raw, ['DATABASE_URL', 'REDIS_URL', 'CONSENT_SPOOL_PATH']);
  return { databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, spoolPath: env.CONSENT_SPOOL_PATH };
}

/** The default users file: <config dir>/config/users.yaml. */
export function usersFileOf(env: Pick<Env, 'CONSOLE_USERS_FILE' | 'INFOLINE_CONFIG_DIR'>): string {
  return resolve(env.CONSOLE_USERS_FILE ?? resolve(env.INFOLINE_CONFIG_DIR, 'config', 'users.yaml'));
}

/** Rules across variables: the identity webhook needs its secret. */
export function identityProblem(env: Pick<Env, 'IDENTITY_WEBHOOK_URL' | 'IDENTITY_WEBHOOK_SECRET'>): string | undefined {
  if (env.IDENTITY_WEBHOOK_URL === undefined) return undefined;
  if (env.IDENTITY_WEBHOOK_SECRET === undefined)
    return 'IDENTITY_WEBHOOK_URL is set without IDENTITY_WEBHOOK_SECRET: the receiver could not verify who sent the insured number';
  if (env.IDENTITY_WEBHOOK_SECRET.length < 16) return 'IDENTITY_WEBHOOK_SECRET must be at least 16 characters';
  return undefined;
}

/** TWILIO_API_URL matters (and must be a base URL) only with an account SID and token. */
export function twilioProblem(env: Pick<Env, 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_API_URL'>): string | undefined {
  if (env.TWILIO_ACCOUNT_SID === undefined || env.TWILIO_AUTH_TOKEN === undefined || env.TWILIO_API_URL === undefined) return undefined;
  return BASE_URL.test(env.TWILIO_API_URL) ? undefined : `TWILIO_API_URL must be an http(s) base URL, got "${env.TWILIO_API_URL}"`;
}

/**
 * In production the signature is checked against PUBLIC_URL only (never against headers a
 * client can set, such as X-Forwarded-Host), and Twilio calls only https there: a plain-http
 * URL is allowed for a loopback host alone (local smoke runs of the production build).
 */
export function productionProblem(env: Pick<Env, 'NODE_ENV' | 'TWILIO_AUTH_TOKEN' | 'PUBLIC_URL'>): string | undefined {
  if (env.NODE_ENV !== 'production') return undefined;
  if (env.TWILIO_AUTH_TOKEN === undefined) {
    return 'TWILIO_AUTH_TOKEN is required when NODE_ENV=production (the Twilio signature check cannot be switched off in production)';
  }
  const publicUrl = env.PUBLIC_URL;
  if (publicUrl === undefined) {
    return 'PUBLIC_URL is required when NODE_ENV=production (the https base URL Twilio calls, e.g. https://ivr.example.org)';
  }
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return `PUBLIC_URL must be the base URL Twilio calls, like https://ivr.example.org, got "${publicUrl}"`;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return `PUBLIC_URL must be https:// when NODE_ENV=production (only a loopback host may use http://), got "${publicUrl}"`;
  }
  return undefined;
}
