// Switching the console on from the environment (called by the composition root, src/main.ts).
// The console is OFF unless CONSOLE_SESSION_SECRET is set AND the users file exists.
//
//   CONSOLE_SESSION_SECRET  signs the session and CSRF cookies; ≥ 32 characters (openssl rand -base64 48)
//   CONSOLE_USERS_FILE      default <INFOLINE_CONFIG_DIR or repository root>/config/users.yaml
//   CONSOLE_AUDIT_LOG       default ./data/console-audit.log
//   PUBLIC_URL https://…    cookies are marked Secure
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ConfigRegistry } from '../config/registry.js';
import type { ConfigVersionStore } from '../store/config-version-port.js';
import type { ConsentLog, SwitchStore } from '../store/ports.js';
import type { SessionStore } from '../store/session-port.js';
import type { JourneyStore } from '../store/journey-port.js';
import type { CallbackStore } from '../store/callback-port.js';
import { EnvError, parseEnv, usersFileOf, type Env, type RawEnv } from '../config/env.js';
import { MIN_SECRET_LENGTH } from './session.js';

export interface ConsoleEnv {
  sessionSecret: string | undefined;
  usersFile: string;
  auditLogPath: string;
  secureCookies: boolean;
}

/** Reads the console's variables (tests; the service goes through readEnv in src/main.ts). */
export function readConsoleEnv(raw: RawEnv): ConsoleEnv {
  return consoleSettings(
    parseEnv(raw, ['CONSOLE_SESSION_SECRET', 'CONSOLE_USERS_FILE', 'CONSOLE_AUDIT_LOG', 'INFOLINE_CONFIG_DIR', 'PUBLIC_URL']),
  );
}

/** The console's settings from the parsed environment; a short session secret is an EnvError. */
export function consoleSettings(
  env: Pick<Env, 'CONSOLE_SESSION_SECRET' | 'CONSOLE_USERS_FILE' | 'CONSOLE_AUDIT_LOG' | 'INFOLINE_CONFIG_DIR' | 'PUBLIC_URL'>,
): ConsoleEnv {
  const sessionSecret = env.CONSOLE_SESSION_SECRET;
  if (sessionSecret !== undefined && sessionSecret.length < MIN_SECRET_LENGTH) {
    throw new EnvError(
      `CONSOLE_SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 48), got ${sessionSecret.length}`,
    );
  }
  return {
    sessionSecret,
    usersFile: usersFileOf(env),
    auditLogPath: env.CONSOLE_AUDIT_LOG,
    secureCookies: (env.PUBLIC_URL ?? '').toLowerCase().startsWith('https://'),
  };
}

export interface ConsoleDeps {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  configVersions?: ConfigVersionStore | undefined;
  /** Shared session versions (logout everywhere); default: this process only. */
  sessions?: SessionStore | undefined;
  journeys?: JourneyStore | undefined;
  callbacks?: CallbackStore | undefined;
  logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/** Registers the console on `app` (before ready/listen) when it is configured; true if it did. */
export async function enableConsole(app: FastifyInstance, deps: ConsoleDeps, env: ConsoleEnv): Promise<boolean> {
  if (env.sessionSecret === undefined) {
    deps.logger.info({}, 'supervisor console off (set CONSOLE_SESSION_SECRET and add a user to enable it)');
    return false;
  }
  if (!existsSync(env.usersFile)) {
    deps.logger.warn(
      { usersFile: env.usersFile },
      'supervisor console off: no users file (add one with "infoline user add <name> --role <role>")',
    );
    return false;
  }
  // Loaded only when enabled: its cookie, CSRF, rate-limit and static plugins stay off the
  // start-up path of a service that answers calls without a console.
  const { consolePlugin } = await import('./plugin.js');
  await app.register(consolePlugin, {
    registry: deps.registry,
    consentLog: deps.consentLog,
    switches: deps.switches,
    configVersions: deps.configVersions,
    sessions: deps.sessions,
    journeys: deps.journeys,
    callbacks: deps.callbacks,
    usersFile: env.usersFile,
    sessionSecret: env.sessionSecret,
    auditLogPath: env.auditLogPath,
    secureCookies: env.secureCookies,
  });
  deps.logger.info(
    { usersFile: env.usersFile, auditLog: env.auditLogPath, secureCookies: env.secureCookies },
    'supervisor console enabled at /console',
  );
  return true;
}
