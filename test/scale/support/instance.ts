// A service instance as a separate process (`node dist/server.js`), the way production runs
// it behind a load balancer: its own port and working directory, the shared PUBLIC_URL.
// Requests are signed for the public URL and sent to this instance's private address.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import type { Poster } from '../../../src/telephony/player.js';
import { TEST_BASE, TEST_TOKEN } from '../../support/twilio.js';
import { CLI_JS, SERVER_JS } from './build.js';
import { FROZEN_CONFIG } from '../../support/fixture-config.js';

/** The one public base every instance is reached through (the load balancer's URL). */
export const PUBLIC_URL = TEST_BASE;

export interface InstanceOptions {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  /** More environment (wins over the defaults above), e.g. the callback dispatcher's settings. */
  env?: Record<string, string | undefined>;
}

export interface Reply {
  status: number;
  body: string;
}

export interface Instance {
  readonly name: string;
  readonly port: number;
  /** Its working directory (holds the consent spool). */
  readonly dir: string;
  readonly spoolPath: string;
  /** Signs for PUBLIC_URL + path + query, sends to 127.0.0.1:port. */
  post: Poster;
  get(path: string): Promise<Reply>;
  readyz(): Promise<{ status: number; body: ReadyzBody }>;
  metrics(): Promise<string>;
  /** The last lines the process printed (for failure messages). */
  output(): string;
  /** SIGTERM; resolves with the exit code (null when it had to be SIGKILLed after 12 s). */
  stop(): Promise<number | null>;
  /** SIGKILL at once (a crash); resolves when the process is gone. */
  kill(): Promise<void>;
}

export interface ReadyzBody {
  status: string;
  consentLog: { writable: boolean; degraded?: boolean; spooled?: number; kind?: string; error?: string };
  switches?: { kind: string; connected: boolean };
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export async function startInstance(opts: InstanceOptions): Promise<Instance> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `infoline-${opts.name}-`));
  const spoolPath = join(dir, 'data', 'consent-spool.db');
  const child = spawn(process.execPath, [SERVER_JS], {
    // Its own working directory: nothing relative (./data/…) is shared between instances.
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL,
      TWILIO_AUTH_TOKEN: TEST_TOKEN,
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      CONSENT_SPOOL_PATH: spoolPath,
      INFOLINE_CONFIG_DIR: FROZEN_CONFIG,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const keep = (chunk: string): void => {
    out = (out + chunk).slice(-8000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });

  const base = `http://127.0.0.1:${port}`;
  const get = async (path: string): Promise<Reply> => {
    const res = await fetch(base + path);
    return { status: res.status, body: await res.text() };
  };
  const post: Poster = async (url, params) => {
    const u = new URL(url);
    // Every callback URL must point at the public base, whichever instance wrote it.
    if (u.origin !== new URL(PUBLIC_URL).origin) throw new Error(`callback URL ${url} does not point at PUBLIC_URL ${PUBLIC_URL}`);
    const res = await fetch(base + u.pathname + u.search, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': getExpectedTwilioSignature(TEST_TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.text() };
  };

  const instance: Instance = {
    name: opts.name,
    port,
    dir,
    spoolPath,
    post,
    get,
    async readyz() {
      const res = await get('/readyz');
      return { status: res.status, body: JSON.parse(res.body) as ReadyzBody };
    },
    async metrics() {
      const res = await get('/metrics');
      if (res.status !== 200) throw new Error(`${opts.name} /metrics answered ${res.status}`);
      return res.body;
    },
    output: () => out,
    async kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };

  // Up when /healthz answers; give up early if the process died.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${opts.name} exited (${exitCode}) while starting:\n${out}`);
    try {
      if ((await get('/healthz')).status === 200) return instance;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} did not answer /healthz within 20 s:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A metric's value from Prometheus text; labels must match exactly when given. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '')
      .split(',')
      .filter((p) => p !== '')
      .sort()
      .join(',');
    if (got === want) return Number(m[3]);
  }
  return undefined;
}

/**
 * Runs the CLI as `npm run -s cli -- <args>` does (`node dist/cli/main.js`), with the service's
 * store settings, in a temporary working directory so its default ./data paths are its own.
 */
export async function runCli(
  args: string[],
  env: { databaseUrl: string; redisUrl: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-cli-'));
  try {
    return await new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI_JS, ...args],
        {
          cwd: dir,
          env: {
            ...process.env,
            DATABASE_URL: env.databaseUrl,
            REDIS_URL: env.redisUrl,
            INFOLINE_CONFIG_DIR: FROZEN_CONFIG,
            LOG_LEVEL: 'warn',
          },
          timeout: 20_000,
        },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
