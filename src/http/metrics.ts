// Prometheus metrics (prom-client), one registry per app so tests can build several apps.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'infoline_process_' });
  const registers = [registry];
  const callProgress = new CallProgress();
  const callbackSource: { read?: () => Promise<Record<string, number>> } = {};
  const metrics = {
    registry,
    /** The last node each call reached (this instance only), for abandonment by node. */
    callProgress,
    calls: new Counter({ name: 'infoline_calls_total', help: 'Calls answered at /voice/incoming', registers }),
    menuChoices: new Counter({ name: 'infoline_menu_choices_total', help: 'Menu keys chosen, by digit', labelNames: ['digit'], registers }),
    routes: new Counter({ name: 'infoline_routes_total', help: 'Calls connected, by route target', labelNames: ['target'], registers }),
    consents: new Counter({
      name: 'infoline_consents_total',
      help: 'Consent decisions written, by decision',
      labelNames: ['decision'],
      registers,
    }),
    consentFailures: new Counter({
      name: 'infoline_consent_write_failures_total',
      help: 'Consents that could not be written (call connected without recording)',
      registers,
    }),
    webhookDuration: new Histogram({
      name: 'infoline_webhook_duration_seconds',
      help: 'Time to answer a Twilio webhook',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    signatureFailures: new Counter({
      name: 'infoline_signature_failures_total',
      help: 'Requests refused for a missing or wrong X-Twilio-Signature',
      registers,
    }),
    closedHits: new Counter({
      name: 'infoline_closed_hits_total',
      help: 'Callers who reached a closed team, by schedule',
      labelNames: ['schedule'],
      registers,
    }),
    configReloads: new Counter({
      name: 'infoline_config_reloads_total',
      help: 'Config reloads, by result (applied, refused)',
      labelNames: ['result'],
      registers,
    }),
    abandoned: new Counter({
      name: 'infoline_abandoned_calls_total',
      help: 'Calls that ended before reaching a person, by the last node reached',
      labelNames: ['node'],
      registers,
    }),
    fallbacks: new Counter({
      name: 'infoline_fallback_answers_total',
      help: 'Voice requests answered with the apology and the general queue',
      labelNames: ['reason'],
      registers,
    }),
    recordingsStarted: new Counter({
      name: 'infoline_recordings_started_total',
      help: 'Call recordings started after a granted consent',
      registers,
    }),
    recordingFailures: new Counter({
      name: 'infoline_recording_failures_total',
      help: 'Recordings that could not be started (Twilio REST API error or timeout)',
      registers,
    }),
    storeDegraded: new Gauge({
      name: 'infoline_consent_store_degraded',
      help: '1 while consents are spooled locally because the primary store is unreachable',
      registers,
    }),
    spooled: new Gauge({ name: 'infoline_consent_spool_size', help: 'Consents waiting in the local spool', registers }),
    switchesConnected: new Gauge({
      name: 'infoline_switch_store_connected',
      help: '1 while the shared switch store is reachable',
      registers,
    }),
    callsTracked: new Gauge({
      name: 'infoline_calls_tracked',
      help: 'Calls whose last node this instance remembers (bounded LRU, for abandonment by node)',
      registers,
      collect() {
        this.set(callProgress.size);
      },
    }),
    identifications: new Counter({
      name: 'infoline_identifications_total',
      help: 'Caller identifications ended, by result (two-identifiers, number-only, none)',
      labelNames: ['identity'],
      registers,
    }),
    identityWebhookFailures: new Counter({
      name: 'infoline_identity_webhook_failures_total',
      help: 'Screen-pop webhook events given up after the retries',
      registers,
    }),
    callbacks: new Counter({
      name: 'infoline_callbacks_total',
      help: 'Callback requests and attempts, by result (requested, placed, connected, voicemail, no-key, busy, no-answer, failed, cancelled, error)',
      labelNames: ['result'],
      registers,
    }),
    /** Where the pending-callbacks gauge reads from (set when a callback store is wired). */
    callbackSource,
    callbacksPending: new Gauge({
      name: 'infoline_callbacks_pending',
      help: 'Open callback requests (pending or calling), by queue',
      labelNames: ['queue'],
      registers,
      async collect() {
        if (!callbackSource.read) return;
        try {
          const open = await callbackSource.read();
          this.reset();
          for (const [queue, n] of Object.entries(open)) this.set({ queue }, n);
        } catch {
          // Store unreachable: the last values stay (its health is reported elsewhere).
        }
      },
    }),
    configVersionInfo: new Gauge({
      name: 'infoline_config_version_info',
      help: 'The config version being served (value 1)',
      labelNames: ['version'],
      registers,
    }),
  };
  // Label values an operator expects to see (at 0) before the first event.
  for (const decision of ['granted', 'declined']) metrics.consents.inc({ decision }, 0);
  for (const result of ['applied', 'refused']) metrics.configReloads.inc({ result }, 0);
  for (const result of ['requested', 'placed', 'connected', 'failed']) metrics.callbacks.inc({ result }, 0);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

export type CallOutcome = 'connected' | 'message';

type Outcome = CallOutcome | 'finished';

export interface CallProgressTracker {
  reached(callSid: string, node: string): void;
  ended(callSid: string, outcome: CallOutcome): void;
  finish(callSid: string): Progress | undefined;
}

/** With call journeys kept, abandoned calls are read from them (right on any instance): nothing to track. */
export const NO_CALL_PROGRESS: CallProgressTracker = {
  reached: () => undefined,
  ended: () => undefined,
  finish: () => undefined,
};

interface Progress {
  node: string;
  outcome?: Outcome | undefined;
}

/**
 * The last flow node each call reached, for `infoline_abandoned_calls_total{node}` when the
 * status callback reports the end of the call. The service keeps no session between
 * webhooks, so this is a small bounded LRU in this process only: with several instances
 * behind a load balancer, the status callback may reach an instance that never saw the call
 * (then the node is `unknown`). An ended call stays as a small tombstone (so a repeated
 * status callback counts nothing twice) until the least recently touched entries are
 * dropped beyond `capacity`.
 */
export class CallProgress implements CallProgressTracker {
  private readonly calls = new Map<string, Progress>();

  constructor(readonly capacity = 10_000) {}

  get size(): number {
    return this.calls.size;
  }

  /** The call reached `node` (a voice turn). */
  reached(callSid: string, node: string): void {
    const previous = this.calls.get(callSid);
    this.touch(callSid, { node, outcome: previous?.outcome });
  }

  /** The caller reached a person, or left a message: the call is not abandoned. */
  ended(callSid: string, outcome: CallOutcome): void {
    const previous = this.calls.get(callSid);
    this.touch(callSid, { node: previous?.node ?? 'unknown', outcome: previous?.outcome === 'connected' ? 'connected' : outcome });
  }

  /** The call has ended: returns what was known before (undefined if nothing) and keeps a tombstone. */
  finish(callSid: string): Progress | undefined {
    const p = this.calls.get(callSid);
    this.touch(callSid, { node: p?.node ?? 'unknown', outcome: 'finished' });
    return p;
  }

  private touch(callSid: string, p: Progress): void {
    this.calls.delete(callSid);
    this.calls.set(callSid, p);
    while (this.calls.size > this.capacity) {
      const oldest = this.calls.keys().next().value;
      if (oldest === undefined) break;
      this.calls.delete(oldest);
    }
  }
}
