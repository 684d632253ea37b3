// Shared test services (PostgreSQL, Redis): probe once per file; when a service is missing,
// CI fails loudly while a developer machine skips with a printed reason.
import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ServiceProbe {
  name: string;
  url: string;
  available: boolean;
  reason: string;
}

export async function probePostgres(url = PG_URL): Promise<ServiceProbe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { name: 'PostgreSQL', url, available: true, reason: '' };
  } catch (err) {
    return { name: 'PostgreSQL', url, available: false, reason: (err as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function probeRedis(url = REDIS_URL): Promise<ServiceProbe> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { name: 'Redis', url, available: true, reason: '' };
  } catch (err) {
    return { name: 'Redis', url, available: false, reason: (err as Error).message };
  } finally {
    redis.disconnect();
  }
}

/**
 * Call at module top level. Returns whether suites needing the service should run; in CI a
 * missing service registers a failing test instead of silently skipping.
 */
export function requireService(probe: ServiceProbe): boolean {
  if (probe.available) return true;
  if (process.env.CI === 'true') {
    describe(`${probe.name} service`, () => {
      it(`${probe.name} must be reachable in CI at ${redactUrl(probe.url)}`, () => {
        throw new Error(`${probe.name} unreachable at ${redactUrl(probe.url)}: ${probe.reason}`);
      });
    });
  } else {
    console.warn(
      `[test/store] skipping ${probe.name} suites: unreachable at ${redactUrl(probe.url)} (${probe.reason}); CI=true makes this a failure`,
    );
  }
  return false;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** A unique lowercase prefix per test (tables, keys): parallel forks never collide. */
export function randomPrefix(): string {
  return `t_${randomBytes(5).toString('hex')}_`;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
