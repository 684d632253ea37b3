// HTTP benchmarks: the server in a forked child pinned to one core, autocannon here on the
// other; bare Fastify first (the baseline), then infoline as production runs it.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ensureBuilt, ROOT } from '../test/reliability/service-process.js';
import type { TargetMessage, TargetOptions } from './target.js';
import { gatherPath, PUBLIC_URL, postSigned, progress, signedPool, TOKEN, webhookParams, callSid, type Signed } from './webhooks.js';

export const CONNECTIONS = 200;
/** Paced runs send this share of the baseline's saturated rate. */
export const PACED_SHARE = 0.7;
const PACED_SECONDS = 4;
/** Menu steps sent between the RSS readings. */
export const GROWTH_STEPS = [10_000, 100_000] as const;
/** Interleaved rounds of the saturated runs; each figure is its median round. */
export const SATURATED_ROUNDS = 3;

export interface HttpResult {
  name: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  requests: number;
  /** Server CPU time (user + system) per answered request, µs: robust to a busy machine. */
  cpuUsPerRequest?: number | undefined;
  non2xx: number;
  errors: number;
  ratio?: number | undefined;
  note?: string | undefined;
}

export interface GrowthResult {
  name: string;
  /** RSS after the warm-up, MiB. */
  startMiB: number;
  /** RSS growth after each step count in GROWTH_STEPS, MiB. */
  growthMiB: number[];
  /** JS heap (used, after GC) growth at the same points, MiB: what the process itself keeps. */
  heapGrowthMiB: number[];
}

export interface Target {
  child: ChildProcess;
  port: number;
  version: string | undefined;
  ask<T extends TargetMessage['type']>(cmd: string, type: T): Promise<Extract<TargetMessage, { type: T }>>;
  stop(): Promise<void>;
}

/** Pins a process to one CPU when taskset exists (one core each for server and load). */
export function pin(pid: number | undefined, cpu: number): void {
  if (pid === undefined) return;
  spawnSync('taskset', ['-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}

export async function startTarget(opts: TargetOptions, execArgv: string[] = []): Promise<Target> {
  if (opts.kind === 'infoline') {
    const build = ensureBuilt();
    if (build.built) progress(`built dist/ in ${(build.ms / 1000).toFixed(1)} s`);
  }
  // stdout ignored: production's JSON log lines go nowhere (as to a log shipper).
  const child = fork(join(ROOT, 'bench/target.ts'), [JSON.stringify(opts)], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...execArgv],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  pin(child.pid, 0);
  const ready = await new Promise<Extract<TargetMessage, { type: 'ready' }>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench target exited with ${String(code)}`)));
    child.on('message', (m: TargetMessage) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    port: ready.port,
    version: ready.version,
    ask: (cmd, type) =>
      new Promise((resolve) => {
        const on = (m: TargetMessage) => {
          if (m.type === type) {
            child.off('message', on);
            resolve(m as Extract<TargetMessage, { type: typeof type }>);
          }
        };
        child.on('message', on);
        child.send({ cmd });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ cmd: 'stop' });
      }),
  };
}

export interface Load {
  path: string;
  pool: Signed[];
  sign: boolean;
  seconds?: number;
  /** Paced: req/s over all connections. */
  rate?: number;
  /** A fixed number of requests instead of a duration. */
  amount?: number;
}

export function fire(target: Target, load: Load, counter: { i: number }): Promise<autocannon.Result> {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: load.path,
      setupRequest: (req) => {
        const s = load.pool[counter.i++ % load.pool.length] as Signed;
        return { ...req, body: s.body, headers: load.sign ? { ...headers, 'x-twilio-signature': s.signature } : headers };
      },
    },
  ];
  const size = load.amount !== undefined ? { amount: load.amount } : { duration: load.seconds ?? 4 };
  return autocannon({
    url: `http://127.0.0.1:${target.port}`,
    connections: CONNECTIONS,
    requests,
    method: 'POST',
    ...size,
    ...(load.rate ? { overallRate: load.rate } : {}),
  }) as unknown as Promise<autocannon.Result>;
}

export async function cannon(target: Target, name: string, load: Load): Promise<HttpResult> {
  const counter = { i: 0 };
  if (!load.rate) await fire(target, { ...load, seconds: 1 }, counter); // warm-up: JIT, connections, page cache
  const cpu0 = await target.ask('cpu', 'cpu');
  const r = await fire(target, load, counter);
  const cpu1 = await target.ask('cpu', 'cpu');
  const cpuUs = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  return {
    name,
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    meanMs: r.latency.average,
    requests: r.requests.total,
    cpuUsPerRequest: r.requests.total > 0 ? cpuUs / r.requests.total : undefined,
    non2xx: r.non2xx,
    errors: r.errors,
    note: load.pool.length > 1 && counter.i > load.pool.length ? `pool of ${load.pool.length} CallSids reused` : undefined,
  };
}

/** Of one scenario's rounds, the run with the median `by` (its latency and CPU figures with it). */
function medianRun(runs: HttpResult[], by: 'reqPerSec' | 'ratio'): HttpResult {
  const sorted = [...runs].sort((x, y) => (x[by] ?? 0) - (y[by] ?? 0));
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  const each = runs.map((r) => (by === 'ratio' ? `${Math.round((r.ratio ?? 0) * 100)} %` : `${Math.round(r.reqPerSec)} req/s`));
  return { ...mid, note: [mid.note, `median round of ${each.join(', ')}`].filter(Boolean).join('; ') };
}

/** RSS after a warm-up, then its growth after each count of GROWTH_STEPS more requests. */
async function growth(target: Target, name: string, load: Omit<Load, 'amount'>): Promise<GrowthResult> {
  const counter = { i: 0 };
  await fire(target, { ...load, amount: 5_000 }, counter);
  const start = await target.ask('rss', 'rss');
  const growthMiB: number[] = [];
  const heapGrowthMiB: number[] = [];
  let sent = 0;
  for (const steps of GROWTH_STEPS) {
    await fire(target, { ...load, amount: steps - sent }, counter);
    sent = steps;
    const now = await target.ask('rss', 'rss');
    growthMiB.push((now.rss - start.rss) / 2 ** 20);
    heapGrowthMiB.push((now.heapUsed - start.heapUsed) / 2 ** 20);
  }
  return { name, startMiB: start.rss / 2 ** 20, growthMiB, heapGrowthMiB };
}

export interface HttpBenchmarks {
  results: HttpResult[];
  growth: GrowthResult[];
  pacedRate: number;
  payloadBytes: number;
  answerBytes: number;
  consentsWritten: number;
  commits: number;
}

export async function httpBenchmarks(seconds: number): Promise<HttpBenchmarks> {
  const infoline = await startTarget({ kind: 'infoline', token: TOKEN, publicUrl: PUBLIC_URL, twiml: '' });
  try {
    // Samples (and a check that the scenarios do what they claim).
    const first = await postSigned(infoline.port, '/voice/incoming', webhookParams(callSid()));
    const menuPath = gatherPath(first);
    const repeat = await postSigned(infoline.port, menuPath, webhookParams(callSid(), { Digits: '*' }));
    if (!repeat.includes('<Gather')) throw new Error(`Digits=* did not repeat the menu: ${repeat}`);
    const consent = await postSigned(infoline.port, menuPath, webhookParams(callSid(), { Digits: '1' }));
    if (!consent.includes('<Enqueue')) throw new Error(`Digits=1 did not connect: ${consent}`);
    const payloadBytes = Buffer.byteLength(new URLSearchParams(webhookParams(callSid())).toString());

    // The saturated runs go in interleaved rounds ((c), baseline, floor, (a), (b), again), each
    // figure the round with the median ratio to its own round's baseline: one run swings by a
    // third with the machine's other tenants, and a slow minute then lands on both sides.
    const base = await startTarget({ kind: 'baseline', token: TOKEN, publicUrl: PUBLIC_URL, twiml: first });
    const floorTarget = await startTarget({ kind: 'floor', token: TOKEN, publicUrl: PUBLIC_URL, twiml: first });
    const unsigned = { path: '/voice/incoming', pool: signedPool('/voice/incoming', 1), sign: false };
    const incoming = { path: '/voice/incoming', sign: true };
    const menu = { path: menuPath, sign: true };
    const rounds: HttpResult[][] = [];
    let consentsWritten = 0;
    let commits = 0;
    for (let round = 1; round <= SATURATED_ROUNDS; round++) {
      progress(
        `saturated round ${round}/${SATURATED_ROUNDS}: baseline, floor, (a), (b), (c); ${CONNECTIONS} connections, ${seconds} s each`,
      );
      const before = await infoline.ask('stats', 'stats');
      const c = await cannon(infoline, '(c) /voice/menu Digits=1 + consent write', {
        ...menu,
        pool: signedPool(menuPath, Math.ceil(seconds + 1) * 12_000, { Digits: '1' }),
        seconds,
      });
      const after = await infoline.ask('stats', 'stats');
      consentsWritten += after.appends - before.appends;
      commits += after.commits - before.commits;
      rounds.push([
        await cannon(base, 'baseline: Fastify+formbody, fixed TwiML', { ...unsigned, seconds }),
        await cannon(floorTarget, '(floor) baseline + signature + log line + histogram', {
          ...incoming,
          pool: signedPool('/voice/incoming', 4000),
          seconds,
        }),
        await cannon(infoline, '(a) /voice/incoming (first answer)', { ...incoming, pool: signedPool('/voice/incoming', 4000), seconds }),
        await cannon(infoline, '(b) /voice/menu Digits=* (repeat)', {
          ...menu,
          pool: signedPool(menuPath, 4000, { Digits: '*' }),
          seconds,
        }),
        c,
      ]);
    }
    // Ratios within a round (the machine drifts between rounds), then the median round's run.
    for (const round of rounds) for (const r of round) r.ratio = r.reqPerSec / round[0]!.reqPerSec;
    const saturated = rounds[0]!.map((_, i) =>
      medianRun(
        rounds.map((r) => r[i]!),
        i === 0 ? 'reqPerSec' : 'ratio',
      ),
    );
    const baseline = saturated[0]!;
    const c = saturated[4]!;

    const pacedRate = Math.round(baseline.reqPerSec * PACED_SHARE);
    const basePaced = await cannon(base, `baseline paced`, { ...unsigned, seconds: PACED_SECONDS, rate: pacedRate });
    // The floor at the paced rate too: a rate beyond what any route doing the contract's minimum
    // sustains on this core makes the paced p99 target a measure of queueing, not of infoline.
    const floorPaced = await cannon(floorTarget, '(floor) paced', {
      ...incoming,
      pool: signedPool('/voice/incoming', 4000),
      seconds: PACED_SECONDS,
      rate: pacedRate,
    });
    await floorTarget.stop();
    progress('baseline: RSS growth');
    const baseGrowth = await growth(base, 'baseline', unsigned);
    await base.stop();

    progress(`paced runs: ${pacedRate} req/s (${PACED_SHARE * 100} % of the baseline) over ${CONNECTIONS} connections`);
    const paced = [
      basePaced,
      floorPaced,
      await cannon(infoline, `(a) paced`, {
        ...incoming,
        pool: signedPool('/voice/incoming', 4000),
        seconds: PACED_SECONDS,
        rate: pacedRate,
      }),
      await cannon(infoline, `(b) paced`, {
        ...menu,
        pool: signedPool(menuPath, 4000, { Digits: '*' }),
        seconds: PACED_SECONDS,
        rate: pacedRate,
      }),
      await cannon(infoline, `(c) paced`, {
        ...menu,
        pool: signedPool(menuPath, pacedRate * (PACED_SECONDS + 1), { Digits: '1' }),
        seconds: PACED_SECONDS,
        rate: pacedRate,
      }),
    ];
    for (const r of paced) r.ratio = r.p99Ms / basePaced.p99Ms;
    // 70 % of the baseline's rate is beyond infoline's capacity, so that p99 compares queues.
    // Also at 70 % of infoline's own saturated rate (a load it sustains), both sides alike.
    const ownRate = Math.round(c.reqPerSec * PACED_SHARE);
    progress(`paced at 70 % of (c)'s own rate: ${ownRate} req/s, baseline and infoline`);
    const base2 = await startTarget({ kind: 'baseline', token: TOKEN, publicUrl: PUBLIC_URL, twiml: first });
    const baseOwn = await cannon(base2, 'baseline paced at (c) own rate', { ...unsigned, seconds: PACED_SECONDS, rate: ownRate });
    await base2.stop();
    const cOwn = await cannon(infoline, '(c) paced at its own rate', {
      ...menu,
      pool: signedPool(menuPath, ownRate * (PACED_SECONDS + 1), { Digits: '1' }),
      seconds: PACED_SECONDS,
      rate: ownRate,
    });
    baseOwn.ratio = 1;
    cOwn.ratio = cOwn.p99Ms / baseOwn.p99Ms;
    progress('infoline: RSS growth over menu steps');
    const menuGrowth = await growth(infoline, 'infoline (b) menu steps', {
      ...menu,
      pool: signedPool(menuPath, 5_000 + Math.max(...GROWTH_STEPS), { Digits: '*' }),
    });
    return {
      results: [...saturated, ...paced, baseOwn, cOwn],
      growth: [baseGrowth, menuGrowth],
      pacedRate,
      payloadBytes,
      answerBytes: Buffer.byteLength(first),
      consentsWritten,
      commits,
    };
  } finally {
    await infoline.stop();
  }
}
