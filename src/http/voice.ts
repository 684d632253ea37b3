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
import {
  holdTwiml,
  HOLD_PAUSE_SECONDS,
  int,
  queueChoiceTwiml,
  queueDoneTwiml,
  queueDoneWithoutConfig,
  queueOutcome,
  type HoldState,
  type QueueContext,
  type QueueResultInput,
} from '../telephony/queue-twiml.js';
import type { CallOutcome, Metrics } from './metrics.js';
import { RequestLogger } from './request-logger.js';
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
    /** Where the call stands after this webhook, for the request's one summary log line. */
    callStep?: { node: string; version: string; done: boolean };
  }
}

async function voicePlugin(app: FastifyInstance, opts: VoiceOptions): Promise<void> {
  const { registry, consentLog, switches, metrics, now } = opts;
  const progress = metrics.callProgress;
  const checkSignature = twilioSignatureCheck({
    authToken: opts.authToken,
    publicUrl: opts.publicUrl,
    onFailure: (request, reason) => {
      metrics.signatureFailures.inc();
      request.log.warn({ reason, url: request.routeOptions.url }, 'refused: Twilio signature check failed');
    },
  });

  // Bodies that are not a form (JSON, text, …) are read as nothing: a voice route still
  // answers TwiML that reaches a person rather than a 415 — and, since nothing can fail to
  // parse, the signature check always runs before anything is answered. (Scoped to the voice
  // routes: the console keeps its JSON API.)
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));

  // Every log line of a voice request carries its CallSid (the body is parsed by now).
  app.addHook('preHandler', async (request) => {
    const sid = (request.body as Record<string, unknown> | undefined)?.CallSid;
    if (typeof sid === 'string' && sid.length <= 64) {
      request.callSid = sid;
      if (request.log instanceof RequestLogger) request.log.bind({ callSid: sid });
      else request.log = request.log.child({ callSid: sid });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.webhookDuration.observe({ route }, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, route, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, ...request.callStep }, 'voice request answered');
  });
  app.setErrorHandler(async (error, request, reply) => {
    // The body could not be read at all (too large, bad length): not Twilio's, and the
    // signature could not be checked, so no TwiML for it.
    const code = (error as { code?: unknown }).code;
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof code === 'string' && code.startsWith('FST_ERR_CTP_') && typeof status === 'number' && status >= 400 && status < 500) {
      request.log.warn({ code, statusCode: status }, 'unreadable request body refused');
      return reply.code(status).type('text/plain').send('Bad request body');
    }
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
    progress.reached(params.data.CallSid, result.step.state.node);
    if (result.choice !== undefined) metrics.menuChoices.inc({ digit: result.choice });
    for (const schedule of result.closedSchedules) metrics.closedHits.inc({ schedule });
    // Recording needs a consent in the log proper: a failed write or one only spooled while
    // the primary store is down connects the caller without recording.
    let consentInLog = false;
    if (result.consent) {
      try {
        const { inserted, spooled } = await consentLog.append(result.consent);
        consentInLog = spooled !== true;
        if (inserted) metrics.consents.inc({ decision: result.consent.decision });
        request.log.info({ decision: result.consent.decision, route: result.consent.route, inserted, spooled: spooled === true }, 'consent logged');
      } catch (err) {
        metrics.consentFailures.inc();
        request.log.error({ err, decision: result.consent.decision }, 'consent could not be written; connecting without recording');
      }
    }
    const connect = result.step.actions.find((a) => a.type === 'connect');
    if (connect) metrics.routes.inc({ target: connect.queue });
    request.callStep = { node: result.step.state.node, version: config.version, done: result.step.done };
    const recordDial = consentInLog && result.consent?.decision === 'granted';
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

  // --- While the caller waits, after the queue, recording, call status (issue 5) ----------

  const NAME_PARAM = /^[A-Za-z0-9_-]{1,64}$/;
  const queueContext = (request: FastifyRequest) => {
    const q = request.query as Record<string, unknown>;
    const str = (v: unknown, d: string) => (typeof v === 'string' && NAME_PARAM.test(v) ? v : d);
    const config = registry.forVersion(typeof q.v === 'string' ? q.v : undefined);
    const route = str(q.route, 'general');
    const lang = str(q.l, 'cs');
    const node = config?.bundle.flow.nodes[route];
    const queueId = node?.kind === 'route' ? node.queue : 'general';
    const queue = config ? (resolveQueue(config.bundle.queues, queueId) ?? resolveQueue(config.bundle.queues, 'general')) : undefined;
    const ctx: QueueContext = { route, lang, queue, consent: q.c === '1', base: requestBaseUrl(request, opts.publicUrl), version: config?.version ?? '' };
    return { config, ctx, query: q, body: (request.body ?? {}) as Record<string, unknown> };
  };
  const callSidOf = (body: Record<string, unknown>): string | undefined =>
    typeof body.CallSid === 'string' && NAME_PARAM.test(body.CallSid) ? body.CallSid : undefined;
  const hasGrantedConsent = async (callSid: string): Promise<boolean> =>
    (await consentLog.list({ callSid, decision: 'granted' })).length > 0;
  const ended = (callSid: string | undefined, outcome: CallOutcome) => {
    if (callSid === undefined) return;
    progress.ended(callSid, outcome);
  };
  /** Calls this instance started a recording for (a retried <Queue url> webhook starts none twice). */
  const recordingStarted = new Set<string>();

  app.post('/voice/queue/wait', voiceRoute, async (request, reply) => {
    const { config, ctx, query, body } = queueContext(request);
    // No config at all: plain hold (Twilio asks again after it), never a tight request loop.
    if (!config) {
      const hold = new VoiceResponse();
      hold.pause({ length: HOLD_PAUSE_SECONDS });
      return reply.type(TWIML).send(hold.toString());
    }
    const state: HoldState = { cycle: int(query.k) ?? 0, quietUntil: int(query.s) };
    return reply.type(TWIML).send(holdTwiml(config, ctx, body, state));
  });

  app.post('/voice/queue/choice', voiceRoute, async (request, reply) => {
    const { config, ctx, query, body } = queueContext(request);
    if (!config) return reply.type(TWIML).send(new VoiceResponse().toString());
    const digits = typeof body.Digits === 'string' ? body.Digits.trim() : '';
    const offeredAt = int(query.t) ?? int(body.QueueTime) ?? 0;
    request.log.info({ route: ctx.route, choice: ['1', '2', '3'].includes(digits) ? digits : 'other' }, 'queue overflow answered');
    return reply.type(TWIML).send(queueChoiceTwiml(config, ctx, digits, offeredAt));
  });

  app.post('/voice/queue/done', voiceRoute, async (request, reply) => {
    const { config, ctx, body } = queueContext(request);
    const input: QueueResultInput = {
      queueResult: typeof body.QueueResult === 'string' ? body.QueueResult : undefined,
      dialStatus: typeof body.DialCallStatus === 'string' ? body.DialCallStatus : undefined,
    };
    const outcome = queueOutcome(input);
    const callSid = callSidOf(body);
    if (outcome === 'connected') ended(callSid, 'connected');
    request.log.info({ ...input, outcome, route: ctx.route, queueTime: int(body.QueueTime), dialDuration: int(body.DialCallDuration) }, 'queue ended');
    if (!config) {
      if (queueDoneWithoutConfig(input) === 'fallback') return reply.type(TWIML).send(fallbackTwiml());
      const bye = new VoiceResponse();
      bye.hangup();
      return reply.type(TWIML).send(bye.toString());
    }
    // A retry on the general line by <Dial> records only a consent that is in the log.
    const general = resolveQueue(config.bundle.queues, 'general');
    let recordDial = false;
    if (general?.dial && ctx.consent && callSid !== undefined && (outcome === 'unavailable' || outcome === 'error')) {
      try {
        recordDial = await hasGrantedConsent(callSid);
      } catch (err) {
        request.log.error({ err }, 'consent log unreadable; the general line is dialled without recording');
      }
    }
    return reply.type(TWIML).send(queueDoneTwiml(config, ctx, input, { recordDial }));
  });

  app.post('/voice/queue/message', voiceRoute, async (request, reply) => {
    const { config, ctx, body } = queueContext(request);
    const response = new VoiceResponse();
    if (config) speak(response, config.speech.utter(ctx.lang, 'queue.thanks'));
    response.hangup();
    const recorded = typeof body.RecordingSid === 'string' && body.RecordingSid !== '';
    if (recorded) ended(callSidOf(body), 'message');
    request.log.info({ route: ctx.route, recordingSid: body.RecordingSid, seconds: int(body.RecordingDuration) }, recorded ? 'caller left a message' : 'message ended without a recording');
    return reply.type(TWIML).send(response.toString());
  });

  // The agent side's <Queue url>: the caller (this CallSid) is about to be bridged to a
  // person. Recording starts here, and only for a call whose granted consent is in the log.
  // Allowed verbs in this document: Play, Say, Pause, Redirect — we answer an empty one.
  app.post('/voice/queue/bridged', voiceRoute, async (request, reply) => {
    const { body } = queueContext(request);
    const callerSid = callSidOf(body);
    ended(callerSid, 'connected');
    if (callerSid !== undefined && opts.recordingStarter) {
      try {
        if (!(await hasGrantedConsent(callerSid))) {
          request.log.info('no granted consent in the log: not recording');
        } else if (recordingStarted.has(callerSid)) {
          request.log.info('recording already started for this call');
        } else {
          await opts.recordingStarter.start(callerSid);
          recordingStarted.add(callerSid);
          if (recordingStarted.size > 10_000) recordingStarted.delete(recordingStarted.values().next().value ?? '');
          metrics.recordingsStarted.inc();
          request.log.info('recording started after granted consent');
        }
      } catch (err) {
        metrics.recordingFailures.inc();
        request.log.error({ err }, 'recording could not be started; the call goes on unrecorded');
      }
    }
    return reply.type(TWIML).send(new VoiceResponse().toString());
  });

  // The number's status callback (Twilio console). A call that ends before reaching a
  // person or leaving a message counts as abandoned, by the last node it reached — unless
  // the flow itself ended it (a goodbye node, e.g. after declining recording).
  app.post('/voice/status', voiceRoute, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const status = typeof body.CallStatus === 'string' ? body.CallStatus : 'unknown';
    const callSid = callSidOf(body);
    let abandonedAt: string | undefined;
    if (callSid !== undefined && FINAL_CALL_STATUSES.has(status)) {
      const known = progress.finish(callSid);
      const node = known?.node ?? 'unknown';
      const kind = registry.current?.bundle.flow.nodes[node]?.kind;
      if (known?.outcome === undefined && kind !== 'goodbye') {
        abandonedAt = node;
        metrics.abandoned.inc({ node });
      }
    }
    request.log.info({ callStatus: status, duration: int(body.CallDuration), abandonedAt }, 'call status');
    // Twilio ignores the answer; an empty TwiML document keeps every voice route's answer uniform.
    return reply.type(TWIML).send(new VoiceResponse().toString());
  });
}

/** CallStatus values of a call that has ended. */
const FINAL_CALL_STATUSES = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled']);

export function apologyTwiml(config: CompiledConfig | undefined): string {
  if (!config) return fallbackTwiml();
  const general = resolveQueue(config.bundle.queues, 'general');
  return fallbackTwiml(config.speech.utter('cs', 'error.apology'), general?.queue ?? FALLBACK_QUEUE);
}

// Not wrapped in fastify-plugin: its hooks and error handler stay scoped to the voice routes.
export const voiceRoutes = voicePlugin;
