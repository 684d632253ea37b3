// The server for bench/journeys.ts: the same infoline app (buildApp, real auth token and
// PUBLIC_URL, SQLite consent log on a temp file, no request logging) with or without the
// batched journey writer, so the difference is what journey writes cost a webhook.
//
// Messages: the parent sends { cmd: 'cpu' | 'elu' | 'journeys' | 'stop' }; the child answers on IPC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { packageRoot } from '../src/config/load.js';
import { ConfigRegistry } from '../src/config/registry.js';
import { createMetrics } from '../src/http/metrics.js';
import { JourneyRecorder } from '../src/store/journey-recorder.js';
import { SqliteConsentLog } from '../src/store/sqlite-consent-log.js';
import { SqliteJourneyStore } from '../src/store/sqlite-journeys.js';
import { SqliteSwitchStore } from '../src/store/sqlite-switch-store.js';

export interface TargetOptions {
  token: string;
  publicUrl: string;
  /** Journey events written (batched) to a SQLite journey store in the same file, as the service does. */
  journeys: boolean;
}

export type TargetMessage =
  | { type: 'ready'; port: number; version?: string | undefined }
  | { type: 'cpu'; user: number; system: number }
  | { type: 'journeys'; written: number }
  | { type: 'elu'; activeMs: number };

const quiet = { info() {}, warn() {}, error() {} };

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as TargetOptions;
  const dir = mkdtempSync(join(tmpdir(), 'infoline-bench-'));
  const dbPath = join(dir, 'infoline.db');
  const consentLog = new SqliteConsentLog({ path: dbPath });
  await consentLog.migrate();
  const switches = new SqliteSwitchStore({ path: dbPath });
  await switches.migrate();
  const registry = new ConfigRegistry({ dir: packageRoot(), logger: quiet });
  registry.start();
  const journeys = opts.journeys ? new SqliteJourneyStore({ path: dbPath }) : undefined;
  await journeys?.migrate();
  const journal = journeys ? new JourneyRecorder({ store: journeys, retentionDays: 0 }) : undefined;
  const app = await buildApp({
    // The load comes from one address over 200 connections (as through a load balancer).
    maxConnectionsPerIp: 0,
    registry,
    consentLog,
    switches,
    authToken: opts.token,
    publicUrl: opts.publicUrl,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: false,
    journal,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const send = (m: TargetMessage) => process.send?.(m);
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'cpu') {
      const cpu = process.cpuUsage();
      send({ type: 'cpu', user: cpu.user, system: cpu.system });
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
      void (async () => {
        await app.close();
        await journal?.close();
        await journal?.store.close();
        await switches.close();
        await consentLog.close();
        rmSync(dir, { recursive: true, force: true });
      })().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', port, version: registry.current?.version });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench target failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
