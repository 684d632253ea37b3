// Builds the stores from configuration: the one place that decides which adapters run.
//
//   databaseUrl postgres://… | postgresql://…  → PostgreSQL behind a local SQLite spool
//   databaseUrl <path> | sqlite://<path> | file:<path> | unset → SQLite (./data/infoline.db)
//   redisUrl set → Redis switches; else the switches live in the consent database.
//
// A PostgreSQL or Redis outage at start does not prevent starting (calls must still be
// answered): the stores report it through health() and recover by themselves.
import type { ClaimStore } from './claims-port.js';
import type { ConsentLog, SwitchStore } from './ports.js';
import type { ConfigVersionStore } from './config-version-port.js';
import type { SessionStore } from './session-port.js';
import type { JourneyStore } from './journey-port.js';
import { SqliteJourneyStore } from './sqlite-journeys.js';
import type { CallbackStore } from './callback-port.js';
import { SqliteCallbackStore } from './sqlite-callback-store.js';
// pg and ioredis are loaded only when configured (≈150 ms and ≈18 MiB saved on SQLite).
import { errorMessage, silentLogger, type StoreLogger } from './shared.js';
import { SpoolingConsentLog } from './spooling-consent-log.js';
import { SqliteClaimStore } from './sqlite-claims.js';
import { SqliteConfigVersionStore } from './sqlite-config-versions.js';
import { SqliteConsentLog } from './sqlite-consent-log.js';
import { SqliteSessionStore } from './sqlite-sessions.js';
import { SqliteSwitchStore } from './sqlite-switch-store.js';

export const DEFAULT_SQLITE_PATH = './data/infoline.db';
export const DEFAULT_SPOOL_PATH = './data/consent-spool.db';

export interface StoreOptions {
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  spoolPath?: string | undefined;
  logger?: StoreLogger;
  /** PostgreSQL table prefix (tests isolate themselves with it). Default "". */
  tablePrefix?: string | undefined;
  /** Redis key/channel prefix. Default `infoline:`. */
  redisPrefix?: string | undefined;
}

export interface StoreHealth {
  consentLog: { kind: string; degraded: boolean; spooled: number };
  switches: { kind: string; connected: boolean };
}

export interface Stores {
  consentLog: ConsentLog;
  switches: SwitchStore;
  /** "Done once" claims shared by every instance (a retried webhook starts no second recording). */
  claims: ClaimStore;
  /** Every applied config version and notice text, next to the consent log. */
  configVersions: ConfigVersionStore;
  /** Console session versions, shared like the switches (Redis, else the database). */
  sessions: SessionStore;
  /** Call journeys, in the consent log's database. */
  journeys: JourneyStore;
  /** Callback requests (issue 14), in the consent log's database. */
  callbacks: CallbackStore;
  health(): StoreHealth;
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: 'postgres'; connectionString: string } | { kind: 'sqlite'; path: string };

/** Classifies DATABASE_URL; throws on a scheme we do not support rather than guessing. */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  const value = (url ?? '').trim();
  if (value === '') return { kind: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', connectionString: value };
  let path = value;
  if (/^sqlite:/i.test(value)) path = value.replace(/^sqlite:(\/\/)?/i, '');
  else if (/^file:/i.test(value)) path = value.replace(/^file:(\/\/)?/i, '');
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error('unsupported database URL scheme (use postgres://, sqlite:// or a file path)');
  }
  if (path === '') throw new Error('database URL names no file');
  return { kind: 'sqlite', path };
}

export async function openStores(opts: StoreOptions): Promise<Stores> {
  const logger = opts.logger ?? silentLogger;
  const target = parseDatabaseUrl(opts.databaseUrl);
  const opened: { close(): Promise<void> }[] = [];
  try {
    let consentLog: ConsentLog;
    let consentHealth: () => StoreHealth['consentLog'];
    if (target.kind === 'postgres') {
      // The spool first: if the local disk is unusable there is no point going further.
      const spool = new SqliteConsentLog({ path: opts.spoolPath ?? DEFAULT_SPOOL_PATH });
      opened.push(spool);
      const { PostgresConsentLog } = await import('./postgres-consent-log.js');
      const primary = new PostgresConsentLog({
        connectionString: target.connectionString,
        tablePrefix: opts.tablePrefix ?? '',
        queryTimeoutMs: 5000,
        logger,
      });
      opened.push(primary);
      const log = new SpoolingConsentLog({ primary, spool, logger });
      opened.splice(0, opened.length, log);
      await log.migrate(); // throws only when the spool is broken
      consentLog = log;
      consentHealth = () => ({ kind: log.kind, ...log.health() });
    } else {
      const log = new SqliteConsentLog({ path: target.path });
      opened.push(log);
      await log.migrate();
      consentLog = log;
      consentHealth = () => ({ kind: log.kind, degraded: false, spooled: 0 });
    }

    let switches: SwitchStore;
    let switchHealth: () => StoreHealth['switches'];
    if (opts.redisUrl !== undefined && opts.redisUrl.trim() !== '') {
      const { RedisSwitchStore } = await import('./redis-switch-store.js');
      const store = new RedisSwitchStore({ url: opts.redisUrl, prefix: opts.redisPrefix, logger });
      opened.push(store);
      // Keeps reconnecting; until then no emergency closure is known.
      await migrateOrLog(store, logger, 'error', 'redis unreachable at start; emergency closures unknown until it connects');
      switches = store;
      switchHealth = () => ({ kind: store.kind, ...store.health() });
    } else if (target.kind === 'sqlite') {
      const store = new SqliteSwitchStore({ path: target.path });
      opened.push(store);
      await store.migrate();
      switches = store;
      switchHealth = () => ({ kind: store.kind, connected: true });
    } else {
      const { PostgresSwitchStore } = await import('./postgres-switch-store.js');
      const store = new PostgresSwitchStore({
        connectionString: target.connectionString,
        tablePrefix: opts.tablePrefix ?? '',
        logger,
      });
      opened.push(store);
      // The consent spool's replay loop keeps migrating the same schema.
      await migrateOrLog(store, logger, 'warn', 'postgres unreachable at start; emergency closures unknown until it answers');
      switches = store;
      switchHealth = () => ({ kind: store.kind, ...store.health() });
    }

    let claims: ClaimStore;
    if (target.kind === 'sqlite') {
      claims = new SqliteClaimStore({ path: target.path });
      opened.push(claims);
      await claims.migrate();
    } else {
      const { PostgresClaimStore } = await import('./postgres-claims.js');
      const store = new PostgresClaimStore({ connectionString: target.connectionString, tablePrefix: opts.tablePrefix ?? '', logger });
      claims = store;
      opened.push(store);
      // Unreachable at start: claims fail (no recording is started) until it answers; the
      // table is then created on the next claim.
      await migrateOrLog(store, logger, 'warn', 'postgres unreachable at start; webhook claims unavailable until it answers');
    }
    const configVersions = await openConfigVersions(target, opts, logger);
    opened.push(configVersions);
    const sessions = await openSessionStore(opts, target, logger);
    opened.push(sessions);
    let journeys: JourneyStore;
    if (target.kind === 'postgres') {
      const { PostgresJourneyStore } = await import('./postgres-journeys.js');
      journeys = new PostgresJourneyStore({
        connectionString: target.connectionString,
        tablePrefix: opts.tablePrefix ?? '',
        queryTimeoutMs: 5000,
        logger,
      });
      opened.push(journeys);
      // An outage at start: the table is created on first use.
      await migrateOrLog(journeys, logger, 'warn', 'postgres unreachable at start; journeys are written once it answers');
    } else {
      journeys = new SqliteJourneyStore({ path: target.path });
      opened.push(journeys);
      await journeys.migrate();
    }
    let callbacks: CallbackStore;
    if (target.kind === 'sqlite') {
      const store = new SqliteCallbackStore({ path: target.path });
      opened.push(store);
      await store.migrate();
      callbacks = store;
    } else {
      const { PostgresCallbackStore } = await import('./postgres-callback-store.js');
      const store = new PostgresCallbackStore({ connectionString: target.connectionString, tablePrefix: opts.tablePrefix ?? '', logger });
      opened.push(store);
      // Calls are still answered; a callback request then fails and the caller keeps waiting.
      await migrateOrLog(store, logger, 'error', 'postgres unreachable at start; callback requests fail until it answers');
      callbacks = store;
    }

    let closing: Promise<void> | undefined;
    return {
      consentLog,
      switches,
      claims,
      configVersions,
      sessions,
      journeys,
      callbacks,
      health: () => ({ consentLog: consentHealth(), switches: switchHealth() }),
      close: () => {
        closing ??= Promise.allSettled([
          consentLog.close(),
          switches.close(),
          claims.close(),
          configVersions.close(),
          sessions.close(),
          journeys.close(),
          callbacks.close(),
        ]).then(() => undefined);
        return closing;
      },
    };
  } catch (err) {
    await Promise.allSettled(opened.map((s) => s.close()));
    throw err;
  }
}

/** Config versions live where the consents do; PostgreSQL down at start is retried on first use. */
async function openConfigVersions(target: DatabaseTarget, opts: StoreOptions, logger: StoreLogger): Promise<ConfigVersionStore> {
  if (target.kind === 'sqlite') {
    const store = new SqliteConfigVersionStore({ path: target.path });
    await store.migrate();
    return store;
  }
  const { PostgresConfigVersionStore } = await import('./postgres-config-versions.js');
  const store = new PostgresConfigVersionStore({ connectionString: target.connectionString, tablePrefix: opts.tablePrefix ?? '', logger });
  await migrateOrLog(store, logger, 'warn', 'postgres unreachable at start; config versions are stored once it answers');
  return store;
}

/** Session versions live where the switches do: Redis when configured, else the database. */
async function openSessionStore(opts: StoreOptions, target: DatabaseTarget, logger: StoreLogger): Promise<SessionStore> {
  let store: SessionStore;
  if (opts.redisUrl !== undefined && opts.redisUrl.trim() !== '') {
    const { RedisSessionStore } = await import('./redis-sessions.js');
    store = new RedisSessionStore({ url: opts.redisUrl, prefix: opts.redisPrefix, logger });
  } else if (target.kind === 'sqlite') {
    store = new SqliteSessionStore({ path: target.path });
  } else {
    const { PostgresSessionStore } = await import('./postgres-sessions.js');
    store = new PostgresSessionStore({ connectionString: target.connectionString, tablePrefix: opts.tablePrefix ?? '', logger });
  }
  // Until it answers, no console session can be checked: sign-ins are refused (fail closed).
  await migrateOrLog(store, logger, 'warn', 'console session store unreachable at start');
  return store;
}

/**
 * A networked store that cannot migrate at start is logged, not fatal: calls must still be
 * answered, and the store creates its schema once the server answers.
 */
async function migrateOrLog(
  store: { kind: string; migrate(): Promise<void> },
  logger: StoreLogger,
  level: 'warn' | 'error',
  message: string,
): Promise<void> {
  try {
    await store.migrate();
  } catch (err) {
    logger[level]({ err: errorMessage(err), store: store.kind }, message);
  }
}
