// The server under load, in its own process (forked by bench/http.ts and pinned to one core),
// so the load generator and the server each get one of the two cores — the same for the
// baseline and for infoline, so their ratio is fair.
//
//   baseline: bare Fastify + @fastify/formbody returning a fixed TwiML string
//   floor:    the baseline plus what the contract asks of every webhook and nothing else (issue
//             17's "the bare route's plus one HMAC, one memoised TwiML lookup, one log line and
//             one histogram observation"): infoline's signature check, one pino JSON line at
//             info through infoline's log destination to the same discarded stdout, one
//             prom-client histogram observation
//   infoline: the service exactly as `npm start` composes it (readEnv + composeService from dist/) with
//             NODE_ENV=production, LOG_LEVEL=info (JSON lines to a discarded stdout), a real
//             auth token, PUBLIC_URL without a port, a SQLite consent log on a temp file
//
// Messages: the parent sends { cmd: 'rss' | 'cpu' | 'stats' | 'stop' }; the child answers on IPC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Histogram } from 'prom-client';
import type * as Main from '../src/main.js';
import type * as Signature from '../src/http/signature.js';
import type * as Logging from '../src/http/logging.js';
import { ROOT } from '../test/reliability/service-process.js';

export interface TargetOptions {
  kind: 'baseline' | 'floor' | 'infoline';
  token: string;
  publicUrl: string;
  /** The fixed answer of the baseline (the size of a real first answer). */
  twiml: string;
}

export type TargetMessage =
  | { type: 'ready'; port: number; version?: string | undefined }
  | { type: 'rss'; rss: number; heapUsed: number; external: number; heapTotal: number }
  | { type: 'stats'; commits: number; appends: number }
  | { type: 'cpu'; user: number; system: number };

interface WithStats {
  stats(): { commits: number; appends: number };
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as TargetOptions;
  let app: FastifyInstance;
  let cleanup = async () => {};
  let stats: (() => { commits: number; appends: number }) | undefined;
  let version: string | undefined;
  if (opts.kind === 'baseline') {
    app = Fastify({ logger: false });
    await app.register(formbody);
    app.post('/voice/incoming', async (_request, reply) => reply.type('text/xml; charset=utf-8').send(opts.twiml));
  } else if (opts.kind === 'floor') {
    const { twilioSignatureCheck } = (await import(join(ROOT, 'dist/http/signature.js'))) as typeof Signature;
    const { logDestination } = (await import(join(ROOT, 'dist/http/logging.js'))) as typeof Logging;
    const logger = pino({ level: 'info' }, logDestination());
    const seconds = new Histogram({ name: 'floor_webhook_seconds', help: 'webhook answer time', labelNames: ['route', 'status'] });
    app = Fastify({ logger: false });
    await app.register(formbody);
    const preHandler = twilioSignatureCheck({ authToken: opts.token, publicUrl: opts.publicUrl, onFailure: () => {} });
    app.post('/voice/incoming', { preHandler }, async (_request, reply) => reply.type('text/xml; charset=utf-8').send(opts.twiml));
    app.addHook('onResponse', async (request, reply) => {
      const ms = reply.elapsedTime;
      seconds.observe({ route: '/voice/incoming', status: reply.statusCode }, ms / 1000);
      const callSid = (request.body as Record<string, string> | undefined)?.CallSid;
      logger.info({ callSid, method: request.method, url: request.url, status: reply.statusCode, ms }, 'webhook answered');
    });
  } else {
    // The compiled service, as `npm start` runs it (the parent built dist/ first): tsx's
    // transform adds helpers (e.g. __name) to hot functions that production does not run.
    const { composeService, readEnv } = (await import(join(ROOT, 'dist/main.js'))) as typeof Main;
    const dir = mkdtempSync(join(tmpdir(), 'infoline-bench-'));
    const env = readEnv({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      TWILIO_AUTH_TOKEN: opts.token,
      PUBLIC_URL: opts.publicUrl,
      DATABASE_URL: join(dir, 'infoline.db'),
      INFOLINE_CONFIG_DIR: ROOT,
      // The load comes from one address over 200 connections (as through a load balancer).
      MAX_CONNECTIONS_PER_IP: '256',
    });
    const service = await composeService(env, { watch: false });
    app = service.app;
    version = service.registry.current?.version;
    const log = service.stores.consentLog as Partial<WithStats>;
    if (typeof log.stats === 'function') stats = () => (log as WithStats).stats();
    cleanup = async () => {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const send = (m: TargetMessage) => process.send?.(m);
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'rss') {
      // Garbage is not growth: collect first (the child runs with --expose-gc).
      (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      send({ type: 'rss', rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, heapTotal: mem.heapTotal });
    } else if (m.cmd === 'cpu') {
      const cpu = process.cpuUsage();
      send({ type: 'cpu', user: cpu.user, system: cpu.system });
    } else if (m.cmd === 'stats') {
      send({ type: 'stats', ...(stats?.() ?? { commits: 0, appends: 0 }) });
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
