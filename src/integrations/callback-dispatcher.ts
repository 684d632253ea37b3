// Places due callback requests (issue 14): the runner at the edge. Each tick reads the
// service clock once, asks the policy which queues may be called now (schedule, holidays,
// emergency closures), claims due requests through the store port (exactly once across
// instances: row locks on PostgreSQL, the write lock on SQLite) and calls Twilio for each.
import { callbackSettings, openCallbackQueues, retrySettlement, STALE_CALL_MINUTES } from '../callback/policy.js';
import type { ConfigRegistry } from '../config/registry.js';
import type { Metrics } from '../http/metrics.js';
import { maskCaller } from '../consent/record.js';
import type { CallbackStore } from '../store/callback-port.js';
import type { SwitchStore } from '../store/ports.js';
import { errorMessage, silentLogger, type StoreLogger } from '../store/shared.js';
import { outboundUrls } from '../telephony/callback-urls.js';
import { callPlacerFor, type CallPlacer, type TwilioCredentials } from './twilio-calls.js';
import { DEFAULT_CALLBACK_TICK_MS } from '../config/env.js';

export interface DispatcherOptions {
  store: CallbackStore;
  registry: Pick<ConfigRegistry, 'current'>;
  switches: Pick<SwitchStore, 'closures'>;
  placer: CallPlacer;
  /** PUBLIC_URL: the outbound call's Url and StatusCallback live there. */
  publicUrl: string;
  now: () => number;
  metrics?: Metrics | undefined;
  logger?: StoreLogger | undefined;
  /** Tick interval; default 3 s. */
  intervalMs?: number | undefined;
}

/** Drafts (typed numbers never confirmed) are forgotten after this long. */
const DRAFT_TTL_MS = 60 * 60_000;

export interface TickResult {
  placed: number;
  failed: number;
}

export class CallbackDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<TickResult> | undefined;
  private readonly logger: StoreLogger;

  constructor(private readonly opts: DispatcherOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  /** One round; overlapping calls share the round in progress. */
  tick(): Promise<TickResult> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<TickResult> {
    const { store, placer, metrics } = this.opts;
    const config = this.opts.registry.current;
    const result: TickResult = { placed: 0, failed: 0 };
    if (!config) return result;
    const at = this.opts.now();
    let closures: Awaited<ReturnType<SwitchStore['closures']>> = [];
    try {
      closures = await this.opts.switches.closures();
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'switch store unreachable; dispatching without emergency closures');
    }
    const queues = openCallbackQueues(config.bundle, at, closures);
    await store.pruneDrafts(new Date(at - DRAFT_TTL_MS).toISOString());
    if (queues.length > 0) {
      const claimed = await store.claim({
        at: new Date(at).toISOString(),
        queues,
        staleBefore: new Date(at - STALE_CALL_MINUTES * 60_000).toISOString(),
        retryAt: new Date(at).toISOString(),
      });
      const base = this.opts.publicUrl.replace(/\/+$/, '');
      await Promise.all(
        claimed.map(async (r) => {
          const urls = outboundUrls({ base, id: r.id, version: config.version, lang: r.lang });
          try {
            const callSid = await placer.place({ to: r.number, from: r.from, ...urls });
            await store.placed(r.id, callSid);
            result.placed++;
            metrics?.callbacks.inc({ result: 'placed' });
            this.logger.info(
              { callbackId: r.id, queue: r.queue, attempt: r.attempts, callSid, number: maskCaller(r.number) },
              'callback placed',
            );
          } catch (err) {
            result.failed++;
            metrics?.callbacks.inc({ result: 'error' });
            this.logger.error({ callbackId: r.id, err: errorMessage(err) }, 'callback could not be placed; retried later');
            // The attempt counts; the retry waits the queue's retryMinutes.
            const settings = callbackSettings(config.bundle, r.queue) ?? { maxAttempts: 1, retryMinutes: 30 };
            await store.settle(r.id, retrySettlement(r, settings, at)).catch(() => false);
          }
        }),
      );
    }
    return result;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.logger.error({ err: errorMessage(err) }, 'callback dispatch round failed'));
    }, this.opts.intervalMs ?? 3000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}

/**
 * The composition root's dispatcher: runs when TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
 * PUBLIC_URL are set (TWILIO_API_URL optional; CALLBACK_TICK_MS, default 3000), else none
 * (requests are kept and placed once a configured instance runs).
 */
export function startCallbackDispatcher(
  opts: Omit<DispatcherOptions, 'placer' | 'publicUrl' | 'now' | 'intervalMs'> & { publicUrl: string | undefined },
  twilio: TwilioCredentials | undefined,
  intervalMs: number = DEFAULT_CALLBACK_TICK_MS,
): CallbackDispatcher | undefined {
  const placer = callPlacerFor(twilio);
  if (!placer || opts.publicUrl === undefined) {
    opts.logger?.warn({}, 'callback dispatcher off: needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and PUBLIC_URL');
    return undefined;
  }
  const dispatcher = new CallbackDispatcher({ ...opts, placer, publicUrl: opts.publicUrl, now: Date.now, intervalMs });
  dispatcher.start();
  return dispatcher;
}
