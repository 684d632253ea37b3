// The built service as a child process (`node dist/server.js`), for the crash test and the
// benchmarks: build when dist/ is missing or older than src/, pick a free port, wait until
// it answers, stop it with a signal.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/load.js';

export const ROOT = packageRoot();
export const SERVER_JS = join(ROOT, 'dist/server.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/server.js is missing or older than a file under src/. */
export function ensureBuilt(): { built: boolean; ms: number; output: string } {
  const fresh = existsSync(SERVER_JS) && statSync(SERVER_JS).mtimeMs >= newestMtime(join(ROOT, 'src'));
  if (fresh) return { built: false, ms: 0, output: '' };
  const started = performance.now();
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  // tsc emits even when a file someone is editing has a type error; what matters is the output.
  if (!existsSync(SERVER_JS)) throw new Error(`npm run build produced no dist/server.js:\n${output}`);
  return { built: true, ms: performance.now() - started, output };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  base: string;
  /** Everything the process wrote to stderr (and stdout), for failure messages. */
  output(): string;
  /** Resolves with the exit code / signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startService(env: Record<string, string>, port: number): ServiceProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' };
  delete childEnv.TWILIO_AUTH_TOKEN;
  delete childEnv.REDIS_URL;
  delete childEnv.NODE_ENV;
  if (env.TWILIO_AUTH_TOKEN !== undefined) childEnv.TWILIO_AUTH_TOKEN = env.TWILIO_AUTH_TOKEN;
  const child = spawn(process.execPath, [SERVER_JS], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, port, base: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** Polls until `probe` succeeds; throws with the process output after `limitMs`. */
export async function waitUntil(service: ServiceProcess, probe: () => Promise<boolean>, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`service exited before answering:\n${service.output()}`);
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service did not answer within ${limitMs} ms:\n${service.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function stopService(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill(signal);
  await service.exited;
}
