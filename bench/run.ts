// `npm run bench` — every benchmark, ratios against a baseline measured in the same run.
//   npm run bench                 a table on stdout (progress on stderr)
//   npm run bench -- --json       one JSON document on stdout (compare commits with jq/diff)
//   npm run bench -- --duration 4 seconds per HTTP measurement (default 4)
//
// Method (details in bench/README.md):
// - HTTP: the server runs in a forked child (bench/target.ts, via tsx), autocannon runs here,
//   200 connections, 1 s warm-up then the measured run; one core each on a 2-core machine.
//   Bodies are the size of a real Twilio voice webhook; infoline requests carry a valid
//   X-Twilio-Signature (precomputed with twilio's getExpectedTwilioSignature).
// - Consent log: appends from N concurrent appenders, each awaiting its own durable append.
// - Cold start / memory: the built service (`node dist/server.js`), built first if stale.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import type { ConsentRecord } from '../src/consent/record.js';
import type { ConsentLog } from '../src/store/ports.js';
import { PostgresConsentLog } from '../src/store/postgres-consent-log.js';
import { SqliteConsentLog } from '../src/store/sqlite-consent-log.js';
import { ensureBuilt, freePort, ROOT, startService, stopService, waitUntil } from '../test/reliability/service-process.js';
import type { TargetMessage, TargetOptions } from './target.js';
import { renderBenchmarks } from './render.js';

const argv = process.argv.slice(2);
const JSON_OUT = argv.includes('--json');
const DURATION = Number(argv[argv.indexOf('--duration') + 1]) > 0 && argv.includes('--duration') ? Number(argv[argv.indexOf('--duration') + 1]) : 4;
const CONNECTIONS = 200;
const TOKEN = 'bench-auth-token-0123456789abcdef';
const PUBLIC_URL = 'https://ivr.bench.example';
/** A paced load far above a real line's: 200 calls in progress make a few dozen webhooks/s. */
const PACED_RATE = 1000;
const PACED_SECONDS = 3;
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

// --- requests shaped like Twilio's -----------------------------------------------------------

function webhookParams(callSid: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'in-progress',
    Called: '+420261105555',
    CalledCity: '',
    CalledCountry: 'CZ',
    CalledState: '',
    CalledZip: '',
    Caller: '+420603123456',
    CallerCity: '',
    CallerCountry: 'CZ',
    CallerState: '',
    CallerZip: '',
    Direction: 'inbound',
    From: '+420603123456',
    FromCity: '',
    FromCountry: 'CZ',
    FromState: '',
    FromZip: '',
    To: '+420261105555',
    ToCity: '',
    ToCountry: 'CZ',
    ToState: '',
    ToZip: '',
    ...extra,
  };
}

const callSid = () => `CA${randomBytes(16).toString('hex')}`;

interface Signed {
  body: string;
  signature: string;
}

function signedPool(path: string, size: number, extra: Record<string, string> = {}): Signed[] {
  const out: Signed[] = [];
  for (let i = 0; i < size; i++) {
    const params = webhookParams(callSid(), extra);
    out.push({ body: new URLSearchParams(params).toString(), signature: getExpectedTwilioSignature(TOKEN, PUBLIC_URL + path, params) });
  }
  return out;
}

// --- the forked server -----------------------------------------------------------------------

interface Target {
  child: ChildProcess;
  port: number;
  version: string | undefined;
  ask<T extends TargetMessage['type']>(cmd: string, type: T): Promise<Extract<TargetMessage, { type: T }>>;
  stop(): Promise<void>;
}

async function startTarget(opts: TargetOptions): Promise<Target> {
  // stdout ignored: with production logging on, the JSON lines go nowhere (as to a log shipper).
  const child = fork(join(ROOT, 'bench/target.ts'), [JSON.stringify(opts)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
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

// --- autocannon ------------------------------------------------------------------------------

export interface HttpResult {
  name: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean latency. */
  meanMs: number;
  requests: number;
  /** Server CPU time (user + system) per answered request, µs: robust to a busy machine. */
  cpuUsPerRequest?: number | undefined;
  non2xx: number;
  errors: number;
  ratio?: number | undefined;
  note?: string | undefined;
}

/**
 * `rate` (req/s over all connections) turns the closed loop into a paced load: with 200
 * connections saturating the server, mean latency is 200 / throughput by Little's law (13 ms
 * at 15k req/s), so a "p99 < 5 ms at 200 concurrent" target is only meaningful at a paced rate.
 */
async function cannon(target: Target, name: string, path: string, pool: Signed[] | { body: string }, seconds: number, sign: boolean, rate?: number): Promise<HttpResult> {
  const port = target.port;
  let i = 0;
  const baseHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path,
      setupRequest: (req) => {
        if (!Array.isArray(pool)) return { ...req, body: pool.body, headers: baseHeaders };
        const s = pool[i++ % pool.length] as Signed;
        return { ...req, body: s.body, headers: sign ? { ...baseHeaders, 'x-twilio-signature': s.signature } : baseHeaders };
      },
    },
  ];
  const run = (duration: number) =>
    autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration, requests, method: 'POST', ...(rate ? { overallRate: rate } : {}) }) as unknown as Promise<autocannon.Result>;
  if (!rate) await run(1); // warm-up: JIT, connections, SQLite page cache
  const cpu0 = await target.ask('cpu', 'cpu');
  const r = await run(seconds);
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
    note: Array.isArray(pool) && pool.length > 1 && i > pool.length ? `request pool wrapped (${i} requests, ${pool.length} distinct CallSids)` : undefined,
  };
}

async function postSigned(port: number, path: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(TOKEN, PUBLIC_URL + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body}`);
  return body;
}

const gatherAction = (twiml: string) => {
  const m = /<Gather[^>]* action="([^"]+)"/.exec(twiml);
  if (!m?.[1]) throw new Error(`no Gather action in ${twiml}`);
  return m[1].replaceAll('&amp;', '&');
};

async function httpBenchmarks(): Promise<{ results: HttpResult[]; payloadBytes: number; answerBytes: number; consentsWritten: number; commits: number }> {
  const infoline = await startTarget({ kind: 'infoline', token: TOKEN, publicUrl: PUBLIC_URL, twiml: '' });
  try {
    // Samples (and a check that the scenarios do what they claim).
    const first = await postSigned(infoline.port, '/voice/incoming', webhookParams(callSid()));
    const menuPath = gatherAction(first).replace(PUBLIC_URL, '');
    const repeat = await postSigned(infoline.port, menuPath, webhookParams(callSid(), { Digits: '*' }));
    if (!repeat.includes('<Gather')) throw new Error(`Digits=* did not repeat the menu: ${repeat}`);
    const consent = await postSigned(infoline.port, menuPath, webhookParams(callSid(), { Digits: '1' }));
    if (!consent.includes('<Enqueue')) throw new Error(`Digits=1 did not connect: ${consent}`);
    const payloadBytes = Buffer.byteLength(new URLSearchParams(webhookParams(callSid())).toString());

    progress(`baseline: bare Fastify + formbody, ${CONNECTIONS} connections, ${DURATION} s`);
    const baselineTarget = await startTarget({ kind: 'baseline', token: TOKEN, publicUrl: PUBLIC_URL, twiml: first });
    const baseline = await cannon(baselineTarget, 'baseline: Fastify+formbody, fixed TwiML', '/voice/incoming', signedPool('/voice/incoming', 1, {}), DURATION, false);
    await baselineTarget.stop();

    progress('infoline (a) /voice/incoming');
    const a = await cannon(infoline, '(a) /voice/incoming (first answer)', '/voice/incoming', signedPool('/voice/incoming', 4000), DURATION, true);
    progress('infoline (b) menu step Digits=*');
    const b = await cannon(infoline, '(b) /voice/menu Digits=* (repeat)', menuPath, signedPool(menuPath, 4000, { Digits: '*' }), DURATION, true);
    progress('infoline (c) menu step Digits=1 with a durable consent');
    const before = await infoline.ask('stats', 'stats');
    const c = await cannon(infoline, '(c) /voice/menu Digits=1 + consent write', menuPath, signedPool(menuPath, Math.ceil(DURATION + 1) * 12_000, { Digits: '1' }), DURATION, true);
    const after = await infoline.ask('stats', 'stats');
    progress('infoline (b) again with production logging (pino, level info, to a discarded pipe)');
    const logged = await startTarget({ kind: 'infoline', token: TOKEN, publicUrl: PUBLIC_URL, twiml: '', logLevel: 'info' });
    const bLogged = await cannon(logged, '(b) with production logging (info)', menuPath.replace(/v=[0-9a-f]+/, `v=${logged.version ?? ''}`), signedPool(menuPath.replace(/v=[0-9a-f]+/, `v=${logged.version ?? ''}`), 4000, { Digits: '*' }), DURATION, true);
    await logged.stop();
    const saturated = [baseline, a, b, c, bLogged];
    for (const r of saturated) r.ratio = r.reqPerSec / baseline.reqPerSec;
    progress(`paced runs: ${PACED_RATE} req/s over ${CONNECTIONS} connections`);
    const paced = [
      await cannon(infoline, `(a) paced ${PACED_RATE} req/s`, '/voice/incoming', signedPool('/voice/incoming', 2000), PACED_SECONDS, true, PACED_RATE),
      await cannon(infoline, `(b) paced ${PACED_RATE} req/s`, menuPath, signedPool(menuPath, 2000, { Digits: '*' }), PACED_SECONDS, true, PACED_RATE),
      await cannon(infoline, `(c) paced ${PACED_RATE} req/s`, menuPath, signedPool(menuPath, PACED_RATE * (PACED_SECONDS + 1), { Digits: '1' }), PACED_SECONDS, true, PACED_RATE),
    ];
    const results = [...saturated, ...paced];
    return { results, payloadBytes, answerBytes: Buffer.byteLength(first), consentsWritten: after.appends - before.appends, commits: after.commits - before.commits };
  } finally {
    await infoline.stop();
  }
}

// --- consent log durable write rate ----------------------------------------------------------

export interface AppendResult {
  store: string;
  concurrency: number;
  perSec: number;
  /** Appends per commit (SQLite group commit). */
  perCommit?: number | undefined;
}

let recordSeq = 0;
function record(): ConsentRecord {
  recordSeq += 1;
  return {
    callSid: `CA${recordSeq.toString(16).padStart(32, '0')}`,
    at: new Date().toISOString(),
    caller: '+420603***456',
    decision: 'granted',
    language: 'cs',
    route: 'insurance',
    noticeId: 'consent.notice',
    noticeVersion: 'abcdef012345',
    noticeSha256: 'a'.repeat(64),
    flowVersion: '0123456789ab',
  };
}

async function appendRate(log: ConsentLog, concurrency: number, ms: number): Promise<number> {
  let n = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await log.append(record());
        n += 1;
      }
    }),
  );
  return n / ((performance.now() - started) / 1000);
}

const LEVELS = [1, 16, 64, 256];

async function consentBenchmarks(): Promise<{ results: AppendResult[]; postgresError?: string | undefined }> {
  const results: AppendResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'infoline-bench-log-'));
  const sqlite = new SqliteConsentLog({ path: join(dir, 'consents.db') });
  await sqlite.migrate();
  try {
    const s = sqlite.settings();
    progress(`SQLite consent log (journal_mode=${s.journalMode}, synchronous=${s.synchronous})`);
    for (const c of LEVELS) {
      const before = sqlite.stats();
      const perSec = await appendRate(sqlite, c, 1500);
      const after = sqlite.stats();
      results.push({ store: 'sqlite', concurrency: c, perSec, perCommit: (after.appends - before.appends) / Math.max(1, after.commits - before.commits) });
    }
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const prefix = `bench_${randomBytes(4).toString('hex')}_`;
  const pg = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix: prefix, connectTimeoutMs: 2000 });
  let postgresError: string | undefined;
  try {
    await pg.migrate();
    progress(`PostgreSQL consent log (${PG_URL}, tables ${prefix}*)`);
    for (const c of LEVELS) results.push({ store: 'postgres', concurrency: c, perSec: await appendRate(pg, c, 1500) });
  } catch (err) {
    postgresError = err instanceof Error ? err.message : String(err);
    progress(`PostgreSQL skipped: ${postgresError}`);
  } finally {
    await pg.dropTables().catch(() => undefined);
    await pg.close();
  }
  return { results, postgresError };
}

// --- cold start and memory of the built service ----------------------------------------------

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

async function serviceBenchmarks(): Promise<{ coldStartMs: number[]; idleRss: number; busyRss: number; calls: number; built: boolean; buildMs: number }> {
  const build = ensureBuilt();
  if (build.built) progress(`built dist/ in ${(build.ms / 1000).toFixed(1)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'infoline-bench-svc-'));
  const env = { DATABASE_URL: join(dir, 'infoline.db'), LOG_LEVEL: 'warn', TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_URL, INFOLINE_CONFIG_DIR: ROOT };
  const coldStartMs: number[] = [];
  let idleRss = 0;
  let busyRss = 0;
  const CALLS = 1000;
  try {
    for (let run = 0; run < 3; run++) {
      const port = await freePort();
      const params = webhookParams(callSid());
      const body = new URLSearchParams(params).toString();
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(TOKEN, `${PUBLIC_URL}/voice/incoming`, params) };
      const t0 = performance.now();
      const svc = startService(env, port);
      await waitUntil(svc, async () => (await fetch(`${svc.base}/voice/incoming`, { method: 'POST', headers, body })).status === 200, 30_000);
      coldStartMs.push(performance.now() - t0);
      if (run === 2) {
        progress(`memory: ${CALLS} calls in progress`);
        await new Promise((r) => setTimeout(r, 1000));
        idleRss = rssOf(svc.child.pid ?? 0);
        // 1,000 calls that had their first answer and are mid-menu (one wrong key each).
        let next = 0;
        await Promise.all(
          Array.from({ length: 50 }, async () => {
            while (next < CALLS) {
              next += 1;
              const sid = callSid();
              const first = await postSigned(port, '/voice/incoming', webhookParams(sid));
              await postSigned(port, gatherAction(first).replace(PUBLIC_URL, ''), webhookParams(sid, { Digits: '#' }));
            }
          }),
        );
        busyRss = rssOf(svc.child.pid ?? 0);
      }
      await stopService(svc, 'SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { coldStartMs, idleRss, busyRss, calls: CALLS, built: build.built, buildMs: build.ms };
}

// --- twilio import cost and TwiML rendering --------------------------------------------------

async function importMs(code: string): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', `const t=performance.now();${code};console.log(performance.now()-t)`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let s = '';
      child.stdout.on('data', (d: Buffer) => (s += d.toString()));
      child.once('exit', (c) => (c === 0 ? resolve(s) : reject(new Error(`import bench exited ${String(c)}`))));
    });
    runs.push(Number(out.trim()));
  }
  return median(runs);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function importBenchmarks(): Promise<{ fullMs: number; subsetMs: number }> {
  progress("import('twilio') full vs subset");
  const fullMs = await importMs("await import('twilio')");
  const subsetMs = await importMs("await import('twilio/lib/webhooks/webhooks.js'); await import('twilio/lib/twiml/VoiceResponse.js')");
  return { fullMs, subsetMs };
}

// --- all of it -------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  if (loadAtStart > 1) progress(`warning: load average ${loadAtStart.toFixed(1)} before start — other processes compete for the 2 cores; compare ratios, not absolute numbers`);
  const http = await httpBenchmarks();
  const consent = await consentBenchmarks();
  const service = await serviceBenchmarks();
  const imports = await importBenchmarks();
  progress('TwiML rendering');
  const render = await renderBenchmarks(PUBLIC_URL);
  const doc = {
    when: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpus: os.cpus().length, node: process.version, loadAvgAtStart: loadAtStart, loadAvgAtEnd: os.loadavg()[0] ?? 0 },
    settings: { connections: CONNECTIONS, durationSeconds: DURATION, payloadBytes: http.payloadBytes, firstAnswerBytes: http.answerBytes },
    http: http.results,
    httpConsents: { written: http.consentsWritten, commits: http.commits, perCommit: http.consentsWritten / Math.max(1, http.commits) },
    consentLog: consent.results,
    postgresError: consent.postgresError,
    service: {
      coldStartMs: service.coldStartMs,
      coldStartMedianMs: median(service.coldStartMs),
      idleRssMiB: service.idleRss / 2 ** 20,
      rssWith1000CallsMiB: service.busyRss / 2 ** 20,
      calls: service.calls,
    },
    imports,
    render,
    targets: targetsOf(http.results, consent.results),
    totalSeconds: (performance.now() - started) / 1000,
  };
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else process.stdout.write(table(doc));
}

function targetsOf(http: HttpResult[], log: AppendResult[]) {
  const menu = http.find((r) => r.name.startsWith('(b)'));
  const worstP99 = Math.max(...http.filter((r) => r.name.includes('paced')).map((r) => r.p99Ms));
  const worstSaturatedP99 = Math.max(...http.filter((r) => !r.name.includes('paced') && !r.name.startsWith('baseline')).map((r) => r.p99Ms));
  const sqliteBest = Math.max(...log.filter((r) => r.store === 'sqlite').map((r) => r.perSec));
  const base = http.find((r) => r.name.startsWith('baseline'));
  // Throughput a core could give, from server CPU per request: the same ratio, robust to other load.
  const cpuRatio = base?.cpuUsPerRequest !== undefined && menu?.cpuUsPerRequest !== undefined ? base.cpuUsPerRequest / menu.cpuUsPerRequest : Number.NaN;
  return {
    menuStepRatio: { value: menu?.ratio ?? Number.NaN, target: 0.7, met: (menu?.ratio ?? 0) >= 0.7 },
    menuStepCpuRatio: { value: cpuRatio, target: 0.7, met: cpuRatio >= 0.7 },
    p99Ms: { value: worstP99, target: 5, met: worstP99 < 5, saturated: worstSaturatedP99 },
    sqliteDurableConsentsPerSec: { value: sqliteBest, target: 5000, met: sqliteBest >= 5000 },
  };
}

function gitCommit(): string | undefined {
  try {
    const head = readFileSync(join(ROOT, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    return readFileSync(join(ROOT, '.git', head.slice(5)), 'utf8').trim();
  } catch {
    return undefined;
  }
}

type Doc = {
  http: HttpResult[];
  httpConsents: { written: number; commits: number; perCommit: number };
  consentLog: AppendResult[];
  postgresError?: string | undefined;
  service: { coldStartMs: number[]; coldStartMedianMs: number; idleRssMiB: number; rssWith1000CallsMiB: number; calls: number };
  imports: { fullMs: number; subsetMs: number };
  render: Awaited<ReturnType<typeof renderBenchmarks>>;
  targets: ReturnType<typeof targetsOf>;
  settings: { connections: number; durationSeconds: number; payloadBytes: number; firstAnswerBytes: number };
  machine: { cpus: number; node: string; loadAvgAtStart: number; loadAvgAtEnd: number };
  commit?: string | undefined;
  totalSeconds: number;
};

function table(doc: Doc): string {
  const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => n.toFixed(2);
  const pct = (n: number | undefined) => (n === undefined ? '' : `${Math.round(n * 100)} %`);
  const lines: string[] = [];
  const row = (cells: string[]) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push(`infoline bench — ${doc.commit?.slice(0, 7) ?? '?'}, ${doc.machine.cpus} cores, Node ${doc.machine.node}, load average ${f1(doc.machine.loadAvgAtStart)} → ${f1(doc.machine.loadAvgAtEnd)}, ${doc.settings.connections} connections × ${doc.settings.durationSeconds} s, webhook body ${doc.settings.payloadBytes} B, first answer ${doc.settings.firstAnswerBytes} B`, '');
  row(['HTTP (server in a child process)', 'req/s', 'vs baseline', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'non-2xx', 'errors']);
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']);
  for (const r of doc.http) row([r.name + (r.note ? ` (${r.note})` : ''), f0(r.reqPerSec), pct(r.ratio), f1(r.p50Ms), f1(r.p99Ms), r.cpuUsPerRequest === undefined ? '' : f0(r.cpuUsPerRequest), String(r.non2xx), String(r.errors)]);
  lines.push('', `(c) wrote ${f0(doc.httpConsents.written)} consents in ${f0(doc.httpConsents.commits)} commits (${f1(doc.httpConsents.perCommit)} per fsync)`, '');
  row(['consent log, durable appends', 'appenders', 'consents/s', 'per commit']);
  row(['---', '---:', '---:', '---:']);
  for (const r of doc.consentLog) row([r.store, String(r.concurrency), f0(r.perSec), r.perCommit === undefined ? '' : f1(r.perCommit)]);
  if (doc.postgresError) lines.push(`PostgreSQL skipped: ${doc.postgresError}`);
  lines.push('');
  row(['service (node dist/server.js)', 'value']);
  row(['---', '---:']);
  row(['cold start to first answered POST /voice/incoming (median of 3)', `${f0(doc.service.coldStartMedianMs)} ms (${doc.service.coldStartMs.map(f0).join(', ')})`]);
  row(['RSS idle', `${f1(doc.service.idleRssMiB)} MiB`]);
  row([`RSS after ${doc.service.calls} calls answered and mid-menu`, `${f1(doc.service.rssWith1000CallsMiB)} MiB`]);
  row(["import('twilio') (whole package, fresh process, median of 3)", `${f0(doc.imports.fullMs)} ms`]);
  row(['import webhooks.js + VoiceResponse.js only', `${f0(doc.imports.subsetMs)} ms`]);
  for (const r of doc.render) row([r.name, `${f2(r.microseconds)} µs`]);
  lines.push('');
  const t = doc.targets;
  row(['target', 'measured', 'goal', 'met']);
  row(['---', '---:', '---:', '---']);
  row(['menu step (b) vs baseline req/s', pct(t.menuStepRatio.value), '≥ 70 %', t.menuStepRatio.met ? 'yes' : 'NO']);
  row(['menu step (b) vs baseline, by server CPU per request', pct(t.menuStepCpuRatio.value), '≥ 70 %', t.menuStepCpuRatio.met ? 'yes' : 'NO']);
  row([`worst p99 of (a)(b)(c), 200 connections paced at ${PACED_RATE} req/s`, `${f1(t.p99Ms.value)} ms`, '< 5 ms', t.p99Ms.met ? 'yes' : 'NO']);
  row(['worst p99 of (a)(b)(c), 200 connections saturating (= 200 / throughput, Little)', `${f1(t.p99Ms.saturated)} ms`, '(info)', '']);
  row(['SQLite durable consents/s (best level)', f0(t.sqliteDurableConsentsPerSec.value), '≥ 5,000', t.sqliteDurableConsentsPerSec.met ? 'yes' : 'NO']);
  lines.push('', `total ${f0(doc.totalSeconds)} s`, '');
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
