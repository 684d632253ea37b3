// Health, readiness and metrics for operators and load balancers.
import type { FastifyInstance } from 'fastify';
import type { ConfigRegistry } from '../config/registry.js';
import type { ConsentLog } from '../store/ports.js';
import type { StoreHealth } from '../store/open-stores.js';
import type { Metrics } from './metrics.js';

export interface OpsOptions {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  storeHealth?: (() => StoreHealth) | undefined;
  metrics: Metrics;
}

export async function opsRoutes(app: FastifyInstance, opts: OpsOptions): Promise<void> {
  const { registry, consentLog, metrics } = opts;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const config = registry.current;
    let consentWritable = true;
    let consentError: string | undefined;
    try {
      await consentLog.check();
    } catch (err) {
      consentWritable = false;
      consentError = err instanceof Error ? err.message : String(err);
    }
    const stores = opts.storeHealth?.();
    const reasons: string[] = [];
    if (!config) reasons.push('no valid configuration loaded');
    if (!consentWritable) reasons.push(`consent log not writable: ${consentError ?? 'unknown error'}`);
    const body = {
      status: reasons.length === 0 ? 'ready' : 'not ready',
      reasons,
      config: config
        ? { version: config.version, loadedAt: registry.loadedAt?.toISOString(), lastEditRefused: registry.lastRefused !== undefined }
        : null,
      consentLog: {
        writable: consentWritable,
        error: consentError,
        ...(stores ? { degraded: stores.consentLog.degraded, spooled: stores.consentLog.spooled, kind: stores.consentLog.kind } : {}),
      },
      switches: stores?.switches,
    };
    return reply.code(body.status === 'ready' ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_request, reply) => {
    const stores = opts.storeHealth?.();
    if (stores) {
      metrics.storeDegraded.set(stores.consentLog.degraded ? 1 : 0);
      metrics.spooled.set(stores.consentLog.spooled);
      metrics.switchesConnected.set(stores.switches.connected ? 1 : 0);
    }
    metrics.configVersionInfo.reset();
    if (registry.current) metrics.configVersionInfo.set({ version: registry.current.version }, 1);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
