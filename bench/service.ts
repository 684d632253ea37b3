// Cold start: from spawn to the first answered POST /voice/incoming, for the built service
// (`node dist/server.js`, production settings) and for a bare Fastify server started the same
// way (bench/baseline-server.mjs). Median of several runs, alternating them. infoline starts
// twice per run: as a restart (the validated config read back from CONFIG_CACHE_DIR, filled by
// a start before the runs) and as the first start of a new build or config (cache off).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, freePort, ROOT, SERVER_JS } from '../test/reliability/service-process.js';
import { pin } from './http.js';
import { callSid, median, progress, PUBLIC_URL, signedHeaders, TOKEN, webhookParams } from './webhooks.js';

export interface ColdStart {
  baselineMs: number[];
  /** Restarts: the config unchanged since the last start, its validated bundle cached. */
  infolineMs: number[];
  /** First starts of a build or config: validated from the YAML (CONFIG_CACHE_DIR=off). */
  uncachedMs: number[];
  baselineMedianMs: number;
  infolineMedianMs: number;
  uncachedMedianMs: number;
  ratio: number;
  uncachedRatio: number;
}

const RUNS = 5;

async function firstAnswerMs(script: string, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const params = webhookParams(callSid());
  const headers = signedHeaders('/voice/incoming', params);
  const body = new URLSearchParams(params).toString();
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  pin(child.pid, 0);
  try {
    for (;;) {
      if (performance.now() - t0 > 30_000) throw new Error(`${script} did not answer within 30 s`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/voice/incoming`, { method: 'POST', headers, body });
        await res.text();
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function coldStartBenchmarks(): Promise<ColdStart> {
  const build = ensureBuilt();
  if (build.built) progress(`built dist/ in ${(build.ms / 1000).toFixed(1)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'infoline-bench-svc-'));
  const baselineMs: number[] = [];
  const infolineMs: number[] = [];
  const uncachedMs: number[] = [];
  const infoline = (cacheDir: string) =>
    firstAnswerMs(SERVER_JS, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      TWILIO_AUTH_TOKEN: TOKEN,
      PUBLIC_URL,
      DATABASE_URL: join(dir, 'infoline.db'),
      INFOLINE_CONFIG_DIR: ROOT,
      CONFIG_CACHE_DIR: cacheDir,
    });
  try {
    await infoline(join(dir, 'config-cache')); // creates the database and fills the cache
    for (let run = 0; run < RUNS; run++) {
      progress(`cold start ${run + 1}/${RUNS}`);
      baselineMs.push(await firstAnswerMs(join(ROOT, 'bench/baseline-server.mjs'), { NODE_ENV: 'production' }));
      infolineMs.push(await infoline(join(dir, 'config-cache')));
      uncachedMs.push(await infoline('off'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const baselineMedianMs = median(baselineMs);
  const infolineMedianMs = median(infolineMs);
  const uncachedMedianMs = median(uncachedMs);
  return {
    baselineMs,
    infolineMs,
    uncachedMs,
    baselineMedianMs,
    infolineMedianMs,
    uncachedMedianMs,
    ratio: infolineMedianMs / baselineMedianMs,
    uncachedRatio: uncachedMedianMs / baselineMedianMs,
  };
}
