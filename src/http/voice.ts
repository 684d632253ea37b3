// Twilio Voice webhooks. Every route is signature-checked; every answer is TwiML (even on
// an internal error: an apology and the general queue, so a person always answers).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { z } from 'zod';
import type { CompiledConfig } from '../call/compiled.js';
import { playTurn, type CallInput } from '../call/turn.js';
import type { ConfigRegistry } from '../config/registry.js';
import type { CallState } from '../flow/machine.js';
import type { EmergencyClosure } from '../hours/types.js';
import type { ConsentLog, SwitchStore } from '../store/ports.js';
import { decodeCallQuery, encodeCallQuery } from '../telephony/call-query.js';
import { fallbackTwiml, FALLBACK_QUEUE, speak, type CallbackUrls } from '../telephony/twiml.js';
import { resolveQueue } from '../telephony/queues-schema.js';
import { holdTwiml, queueDoneTwiml, queueChoiceTwiml, type QueueResultInput } from '../telephony/queue-twiml.js';
import type { Metrics } from './metrics.js';
import { requestBaseUrl, twilioSignatureCheck } from './signature.js';
import type { RecordingStarter } from '../telephony/recording.js';

export interface VoiceOptions {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  metrics: Metrics;
  authToken: string | undefined;
  publicUrl: string | undefined;
  /** The clock, read once per request at the edge. */
  now: () => number;
  recordingStarter?: RecordingStarter | undefined;
}

/** The fields of Twilio's voice webhook we use; the rest is ignored. */
const callParams = z.object({
  CallSid: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/),
  From: z.string().max(256).optional(),
  Digits: z.unknown().optional(),
});

const TWIML = 'text/xml; charset=utf-8';

declare module 'fastify' {
  interface FastifyRequest {
    callSid?: string;
  }
}

async function voicePlugin(app: FastifyInstance, opts: VoiceOptions): Promise<void> {
  const { registry, consentLog, switches, metrics, now } = opts;
  const checkSignature = twilioSignatureCheck({
    authToken: opts.authToken,
    publicUrl: opts.publicUrl,
    onFailure: (request, reason) => {
      metrics.signatureFailures.inc();
      request.log.warn({ reason, url: request.routeOptions.url }, 'refused: Twilio signature check failed');
    },
  });

  // Every log line of a voice request carries its CallSid (the body is parsed by now).
  app.addHook('preHandler', async (request) => {
    const sid = (request.body as Record<string, unknown> | undefined)?.CallSid;
    if (typeof sid === 'string' && sid.length <= 64) {
      request.callSid = sid;
      request.log = request.log.child({ callSid: sid });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.webhookDuration.observe({ route }, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, route, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'voice request answered');
  });
  app.setErrorHandler(async (error, request, reply) => {
    request.log.error({ err: error }, 'voice route failed; answering with the apology and the general queue');
    metrics.fallbacks.inc({ reason: 'error' });
    return reply.code(200).type(TWIML).send(apologyTwiml(registry.current));
  });

  const urlsFor = (request: FastifyRequest, version: string): CallbackUrls => {
    const base = requestBaseUrl(request, opts.publicUrl);
    return {
      base,
      menu: (state: CallState) => `${base}/voice/menu?${encodeCallQuery(version, state)}`,
      noInput: (state: CallState) => `${base}/voice/menu?${encodeCallQuery(version, state)}&e=noinput`,
      queueWait: (route, lang) => `${base}/voice/queue/wait?${new URLSearchParams({ v: version, route, l: lang })}`,
      queueDone: (route, lang, consent) => `${base}/voice/queue/done?${new URLSearchParams({ v: version, route, l: lang, c: consent ? '1' : '0' })}`,
    };
  };

  const closuresNow = async (request: FastifyRequest): Promise<EmergencyClosure[]> => {
    try {
      return await switches.closures();
    } catch (err) {
      request.log.error({ err }, 'switch store unreachable; no emergency closure applied');
      return [];
    }
  };

  const turn = async (request: FastifyRequest, reply: FastifyReply, input: CallInput) => {
    const at = now();
    const params = callParams.safeParse(request.body ?? {});
    if (!params.success) {
      request.log.warn({ problems: params.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'malformed webhook body; connecting to the general queue');
      metrics.fallbacks.inc({ reason: 'malformed' });
      return reply.type(TWIML).send(apologyTwiml(registry.current));
    }
    const pinned = input.kind === 'start' ? undefined : decodeCallQuery(request.query as Record<string, unknown>);
    const config = registry.forVersion(pinned?.version);
    if (!config) {
      metrics.fallbacks.inc({ reason: 'no-config' });
      return reply.type(TWIML).send(fallbackTwiml());
    }
    const closures = await closuresNow(request);
    const result = playTurn({
      config,
      state: pinned?.state,
      input,
      at,
      closures,
      callSid: params.data.CallSid,
      from: params.data.From,
      urls: urlsFor(request, config.version),
    });
    if (result.choice !== undefined) metrics.menuChoices.inc({ digit: result.choice });
    for (const schedule of result.closedSchedules) metrics.closedHits.inc({ schedule });
    let consentStored = false;
    if (result.consent) {
      try {
        const { inserted } = await consentLog.append(result.consent);
        consentStored = true;
        if (inserted) metrics.consents.inc({ decision: result.consent.decision });
        request.log.info({ decision: result.consent.decision, route: result.consent.route, inserted }, 'consent logged');
      } catch (err) {
        metrics.consentFailures.inc();
        request.log.error({ err, decision: result.consent.decision }, 'consent could not be written; connecting without recording');
      }
    }
    const connect = result.step.actions.find((a) => a.type === 'connect');
    if (connect) metrics.routes.inc({ target: connect.queue });
    request.log.info({ node: result.step.state.node, version: config.version, done: result.step.done }, 'call step');
    const recordDial = consentStored && result.consent?.decision === 'granted';
    return reply.type(TWIML).send(result.render(recordDial));
  };

  const voiceRoute = { preHandler: checkSignature };

  app.post('/voice/incoming', voiceRoute, async (request, reply) => {
    metrics.calls.inc();
    // ?l=en lets a second number (e.g. an English line) start the same flow in another language.
    const lang = (request.query as Record<string, unknown>).l;
    return turn(request, reply, { kind: 'start', lang: typeof lang === 'string' ? lang : undefined });
  });

  app.post('/voice/menu', voiceRoute, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (query.e === 'noinput') return turn(request, reply, { kind: 'noInput' });
    return turn(request, reply, { kind: 'digits', digits: (request.body as Record<string, unknown> | undefined)?.Digits });
  });

  app.post('/voice/fallback', voiceRoute, async (request, reply) => {
    metrics.fallbacks.inc({ reason: 'twilio-fallback' });
    request.log.warn({ errorCode: (request.body as Record<string, unknown> | undefined)?.ErrorCode }, 'Twilio used the fallback URL');
    return reply.type(TWIML).send(fallbackTwiml());
  });

  const queueContext = (request: FastifyRequest) => {
    const q = request.query as Record<string, unknown>;
    const str = (v: unknown, d: string) => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : d);
    const config = registry.forVersion(typeof q.v === 'string' ? q.v : undefined);
    const route = str(q.route, 'general');
    const lang = str(q.l, 'cs');
    const node = config?.bundle.flow.nodes[route];
    const queueId = node?.kind === 'route' ? node.queue : 'general';
    const queue = config ? resolveQueue(config.bundle.queues, queueId) : undefined;
    return { config, route, lang, queue, consent: q.c === '1', base: requestBaseUrl(request, opts.publicUrl), version: config?.version ?? '' };
  };

  app.post('/voice/queue/wait', voiceRoute, async (request, reply) => {
    const ctx = queueContext(request);
    if (!ctx.config) return reply.type(TWIML).send(new VoiceResponse().toString());
    const body = (request.body ?? {}) as Record<string, unknown>;
    return reply.type(TWIML).send(holdTwiml(ctx.config, ctx, body));
  });

  app.post('/voice/queue/choice', voiceRoute, async (request, reply) => {
    const ctx = queueContext(request);
    if (!ctx.config) return reply.type(TWIML).send(new VoiceResponse().toString());
    const digits = (request.body as Record<string, unknown> | undefined)?.Digits;
    return reply.type(TWIML).send(queueChoiceTwiml(ctx.config, ctx, typeof digits === 'string' ? digits : ''));
  });

  app.post('/voice/queue/done', voiceRoute, async (request, reply) => {
    const ctx = queueContext(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const input: QueueResultInput = {
      queueResult: typeof body.QueueResult === 'string' ? body.QueueResult : undefined,
      dialStatus: typeof body.DialCallStatus === 'string' ? body.DialCallStatus : undefined,
    };
    if (!ctx.config) return reply.type(TWIML).send(fallbackTwiml());
    request.log.info({ ...input, route: ctx.route }, 'queue ended');
    return reply.type(TWIML).send(queueDoneTwiml(ctx.config, ctx, input));
  });

  app.post('/voice/queue/message', voiceRoute, async (request, reply) => {
    const ctx = queueContext(request);
    const response = new VoiceResponse();
    if (ctx.config) speak(response, ctx.config.speech.utter(ctx.lang, 'queue.thanks'));
    response.hangup();
    request.log.info({ route: ctx.route }, 'caller left a message');
    return reply.type(TWIML).send(response.toString());
  });

  // The agent side's <Queue url>: the caller is about to be bridged to a person. Recording
  // starts here, and only for a call whose granted consent is in the log.
  app.post('/voice/queue/bridged', voiceRoute, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const callerSid = typeof body.CallSid === 'string' ? body.CallSid : undefined;
    if (callerSid && opts.recordingStarter) {
      try {
        const consents = await consentLog.list({ callSid: callerSid, decision: 'granted' });
        if (consents.length > 0) {
          await opts.recordingStarter.start(callerSid);
          metrics.recordingsStarted.inc();
          request.log.info('recording started after granted consent');
        } else {
          request.log.info('no granted consent: not recording');
        }
      } catch (err) {
        request.log.error({ err }, 'recording could not be started');
      }
    }
    return reply.type(TWIML).send(new VoiceResponse().toString());
  });

  app.post('/voice/status', voiceRoute, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const status = typeof body.CallStatus === 'string' ? body.CallStatus : 'unknown';
    const q = request.query as Record<string, unknown>;
    request.log.info({ callStatus: status, duration: body.CallDuration }, 'call status');
    if (['completed', 'failed', 'busy', 'no-answer', 'canceled'].includes(status) && q.connected !== '1') {
      const node = typeof q.n === 'string' && /^[a-z][a-z0-9_]*$/.test(q.n) ? q.n : 'unknown';
      if (status !== 'completed') metrics.abandoned.inc({ node });
    }
    return reply.code(204).send();
  });
}

export function apologyTwiml(config: CompiledConfig | undefined): string {
  if (!config) return fallbackTwiml();
  const general = resolveQueue(config.bundle.queues, 'general');
  return fallbackTwiml(config.speech.utter('cs', 'error.apology'), general?.queue ?? FALLBACK_QUEUE);
}

// Not wrapped in fastify-plugin: its hooks and error handler stay scoped to the voice routes.
export const voiceRoutes = voicePlugin;
