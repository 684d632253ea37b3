// Prometheus metrics (prom-client), one registry per app so tests can build several apps.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'infoline_process_' });
  const registers = [registry];
  return {
    registry,
    calls: new Counter({ name: 'infoline_calls_total', help: 'Calls answered at /voice/incoming', registers }),
    menuChoices: new Counter({ name: 'infoline_menu_choices_total', help: 'Menu keys chosen, by digit', labelNames: ['digit'], registers }),
    routes: new Counter({ name: 'infoline_routes_total', help: 'Calls connected, by route target', labelNames: ['target'], registers }),
    consents: new Counter({ name: 'infoline_consents_total', help: 'Consent decisions written, by decision', labelNames: ['decision'], registers }),
    consentFailures: new Counter({ name: 'infoline_consent_write_failures_total', help: 'Consents that could not be written (call connected without recording)', registers }),
    webhookDuration: new Histogram({
      name: 'infoline_webhook_duration_seconds',
      help: 'Time to answer a Twilio webhook',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    signatureFailures: new Counter({ name: 'infoline_signature_failures_total', help: 'Requests refused for a missing or wrong X-Twilio-Signature', registers }),
    closedHits: new Counter({ name: 'infoline_closed_hits_total', help: 'Callers who reached a closed team, by schedule', labelNames: ['schedule'], registers }),
    configReloads: new Counter({ name: 'infoline_config_reloads_total', help: 'Config reloads, by result (applied, refused)', labelNames: ['result'], registers }),
    abandoned: new Counter({ name: 'infoline_abandoned_calls_total', help: 'Calls that ended before reaching a person, by the last node reached', labelNames: ['node'], registers }),
    fallbacks: new Counter({ name: 'infoline_fallback_answers_total', help: 'Voice requests answered with the apology and the general queue', labelNames: ['reason'], registers }),
    recordingsStarted: new Counter({ name: 'infoline_recordings_started_total', help: 'Call recordings started after a granted consent', registers }),
    storeDegraded: new Gauge({ name: 'infoline_consent_store_degraded', help: '1 while consents are spooled locally because the primary store is unreachable', registers }),
    spooled: new Gauge({ name: 'infoline_consent_spool_size', help: 'Consents waiting in the local spool', registers }),
    switchesConnected: new Gauge({ name: 'infoline_switch_store_connected', help: '1 while the shared switch store is reachable', registers }),
    configVersionInfo: new Gauge({ name: 'infoline_config_version_info', help: 'The config version being served (value 1)', labelNames: ['version'], registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
