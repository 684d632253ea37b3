// The server for bench/journeys.ts: the same infoline app with or without the journey writer.
//
//   baseline: bare Fastify + @fastify/formbody returning a fixed TwiML string
//   infoline: buildApp from src/app.ts with a real auth token, PUBLIC_URL, a SQLite consent
//             log on a temp file (WAL, synchronous=FULL, group commit), no request logging
//
// Messages: the parent sends { cmd: 'rss' } / { cmd: 'stop' }; the child answers on IPC.
import { mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { packageRoot } from '../src/config/load.js';
import { ConfigRegistry } from '../src/config/registry.js';
import { loggerOptions } from '../src/http/logging.js';
import { createMetrics } from '../src/http/metrics.js';
import { SqliteConsentLog } from '../src/store/sqlite-consent-log.js';
import { SqliteSwitchStore } from '../src/store/sqlite-switch-store.js';
import { SqliteJourneyStore } from '../src/store/sqlite-journeys.js';
import { JourneyRecorder } from '../src/store/journey-recorder.js';

export interface TargetOptions {
  kind: 'baseline' | 'infoline';
  token: string;
  publicUrl: string;
  /** The fixed answer of the baseline (the size of a real first answer). */
  twiml: string;
  /** Production logging (pino JSON lines at this level, stdout ignored by the parent); default off. */
  logLevel?: string | undefined;
  /** Journey events written (batched) to a SQLite journey store in the same file, as the service does. */
  journeys?: boolean | undefined;
}

export type TargetMessage = { type: 'ready'; port: number; version?: string | undefined } | { type: 'rss'; rss: number; heapUsed: number } | { type: 'stats'; commits: number; appends: number }
  | { type: 'cpu'; user: number; system: number }
  | { type: 'journeys'; written: number }
  | { type: 'elu'; activeMs: number };

const quiet = { info() {}, warn() {}, error() {} };

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as TargetOptions;
  let app: FastifyInstance;
  let cleanup = async () => {};
  let consentLog: SqliteConsentLog | undefined;
  let version: string | undefined;
  let journal: JourneyRecorder | undefined;
  if (opts.kind === 'baseline') {
    app = Fastify({ logger: false });
    await app.register(formbody);
    app.post('/voice/incoming', async (_request, reply) => reply.type('text/xml; charset=utf-8').send(opts.twiml));
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'infoline-bench-'));
    const dbPath = join(dir, 'infoline.db');
    consentLog = new SqliteConsentLog({ path: dbPath });
    await consentLog.migrate();
    const switches = new SqliteSwitchStore({ path: dbPath });
    await switches.migrate();
    const registry = new ConfigRegistry({ dir: packageRoot(), logger: quiet });
    registry.start();
    version = registry.current?.version;
    const journeys = opts.journeys ? new SqliteJourneyStore({ path: dbPath }) : undefined;
    await journeys?.migrate();
    journal = journeys ? new JourneyRecorder({ store: journeys, retentionDays: 0 }) : undefined;
    app = await buildApp({
      // The load comes from one address over 200 connections (as through a load balancer).
      maxConnectionsPerIp: 0,
      registry,
      consentLog,
      switches,
      authToken: opts.token,
      publicUrl: opts.publicUrl,
      metrics: createMetrics({ defaultMetrics: false }),
      // Off by default (the service, not the log pipeline); `logLevel` measures production logging.
      logger: opts.logLevel === undefined ? false : loggerOptions(opts.logLevel),
      journal,
    });
    const log = consentLog;
    cleanup = async () => {
      await app.close();
      await journal?.close();
      await journal?.store.close();
      await switches.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const send = (m: TargetMessage) => process.send?.(m);
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'rss') {
      const mem = process.memoryUsage();
      send({ type: 'rss', rss: mem.rss, heapUsed: mem.heapUsed });
    } else if (m.cmd === 'cpu') {
      const cpu = process.cpuUsage();
      send({ type: 'cpu', user: cpu.user, system: cpu.system });
    } else if (m.cmd === 'stats') {
      send({ type: 'stats', ...(consentLog?.stats() ?? { commits: 0, appends: 0 }) });
    } else if (m.cmd === 'elu') {
      // Time the main thread (the event loop answering webhooks) was busy, worker threads excluded.
      send({ type: 'elu', activeMs: performance.eventLoopUtilization().active });
    } else if (m.cmd === 'journeys') {
      void (async () => {
        await journal?.flush();
        // Counts every event written so far (and empties the table between runs).
        const written = journal ? await journal.store.deleteBefore('9999-01-01T00:00:00Z') : 0;
        send({ type: 'journeys', written });
      })();
    } else if (m.cmd === 'stop') {
      void cleanup().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', port, version });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench target failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
