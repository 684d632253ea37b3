// A real app (buildApp, SQLite stores on a temp file, the repository's config) with the console
// registered the way main.ts does it, plus users with known passwords.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ConfigRegistry } from '../../src/config/registry.js';
import { consolePlugin } from '../../src/console/plugin.js';
import { hashPassword, writeUser, type Role } from '../../src/console/users.js';
import type { ConsentLog, SwitchStore } from '../../src/store/ports.js';
import type { ConfigVersionStore } from '../../src/store/config-version-port.js';
import { SqliteConfigVersionStore } from '../../src/store/sqlite-config-versions.js';
import type { SessionStore } from '../../src/store/session-port.js';
import { buildTestApp } from '../support/app.js';

export const SECRET = 'test-console-secret-0123456789abcdefghijklmnop';
/** Cheap scrypt for tests (the real default is N = 2^17); verification reads N from the hash. */
export const TEST_COST = { N: 2 ** 14, r: 8, p: 1 };

export const USERS: Record<Role, { name: string; password: string }> = {
  viewer: { name: 'vera.viewer', password: 'viewer-password-123' },
  supervisor: { name: 'sam.supervisor', password: 'supervisor-password-123' },
  dpo: { name: 'dana.dpo', password: 'dpo-password-123456' },
};

export interface ConsoleTestApp {
  app: FastifyInstance;
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  configVersions: ConfigVersionStore;
  dir: string;
  usersFile: string;
  auditLogPath: string;
  setNow(iso: string | number): void;
  auditLines(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function writeTestUsers(file: string): Promise<void> {
  for (const role of ['viewer', 'supervisor', 'dpo'] as const) {
    writeUser(file, { name: USERS[role].name, role, passwordHash: await hashPassword(USERS[role].password, TEST_COST) });
  }
}

export async function buildConsoleApp(
  opts: {
    now?: string;
    configDir?: string;
    consentLog?: ConsentLog;
    logger?: boolean | object;
    loginFailures?: { max: number; windowMs: number; perIp?: number; perName?: number };
    sessions?: SessionStore;
    secureCookies?: boolean;
  } = {},
): Promise<ConsoleTestApp> {
  let usersFile = '';
  let auditLogPath = '';
  let configVersions: SqliteConfigVersionStore | undefined;
  const t = await buildTestApp({
    now: opts.now ?? '2026-11-25T09:00:00Z',
    ...(opts.configDir !== undefined ? { configDir: opts.configDir } : {}),
    ...(opts.consentLog !== undefined ? { consentLog: opts.consentLog } : {}),
    logger: opts.logger ?? false,
    // The tests play several clients through X-Forwarded-For, as behind a trusted proxy.
    trustProxy: true,
    configDir: opts.configDir,
    beforeReady: async ({ app, registry, consentLog, switches, dir, now }) => {
      usersFile = join(dir, 'users.yaml');
      auditLogPath = join(dir, 'audit', 'console-audit.log');
      await writeTestUsers(usersFile);
      // The config version store next to the consent log, attached the way main.ts does it.
      configVersions = new SqliteConfigVersionStore({ path: join(dir, 'infoline.db') });
      await configVersions.migrate();
      await registry.attachStore(configVersions);
      await app.register(consolePlugin, {
        registry,
        consentLog,
        switches,
        configVersions,
        usersFile,
        sessionSecret: SECRET,
        auditLogPath,
        now,
        loginFailures: opts.loginFailures,
        sessions: opts.sessions,
        secureCookies: opts.secureCookies,
      });
    },
  });
  return {
    app: t.app,
    registry: t.registry,
    consentLog: t.consentLog,
    switches: t.switches,
    dir: t.dir,
    usersFile,
    auditLogPath,
    setNow: t.setNow,
    auditLines() {
      try {
        return readFileSync(auditLogPath, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      } catch {
        return [];
      }
    },
    configVersions: configVersions!,
    close: async () => {
      await t.close();
      await configVersions?.close();
    },
  };
}

/** A browser-like client for app.inject: keeps cookies, sends the CSRF token on writes. */
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(
    private readonly app: FastifyInstance,
    readonly ip = '10.0.0.1',
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: LightMyRequestResponse): void {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() <= Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  /** Another client holding copies of this one's cookies (a stolen or second-tab cookie), on `app`. */
  copy(app: FastifyInstance = this.app): ConsoleClient {
    const other = new ConsoleClient(app, this.ip);
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    other.csrf = this.csrf;
    return other;
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  async request(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
    opts: { csrf?: string | null } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (method !== 'GET' && token !== null && token !== '') headers['x-csrf-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.app.inject({ method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body) });
    this.keep(res);
    return res;
  }

  async session(): Promise<{ user: { name: string; role: string } | null; csrfToken: string }> {
    const res = await this.request('GET', '/console/api/session');
    const body = res.json() as { user: { name: string; role: string } | null; csrfToken: string };
    this.csrf = body.csrfToken;
    return body;
  }

  async login(name: string, password: string): Promise<LightMyRequestResponse> {
    if (!this.csrf) await this.session();
    const res = await this.request('POST', '/console/api/login', { name, password });
    if (res.statusCode === 200) this.csrf = (res.json() as { csrfToken: string }).csrfToken;
    return res;
  }

  async loginAs(role: Role): Promise<void> {
    const res = await this.login(USERS[role].name, USERS[role].password);
    if (res.statusCode !== 200) throw new Error(`login as ${role} failed: ${res.statusCode} ${res.body}`);
  }
}
