// Twilio Voice webhooks. Every route is signature-checked; every answer is TwiML (even on
// an internal error: an apology and the general queue, so a person always answers).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { z } from 'zod';
import type { CompiledConfig } from '../call/compiled.js';
import { activeLineClosure, LINE_CLOSURE_ID } from '../call/line.js';
import { playTurn, type CallInput } from '../call/turn.js';
import type { ConfigRegistry } from '../config/registry.js';
import type { CallState } from '../flow/machine.js';
import type { EmergencyClosure } from '../hours/types.js';
import type { ClaimStore } from '../store/claims-port.js';
import { MemoryClaimStore } from '../store/memory-claims.js';
import type { ConsentLog, SwitchStore } from '../store/ports.js';
import { decodeCallQuery, encodeCallQuery } from '../telephony/call-query.js';
import { fallbackDocument } from '../telephony/fallback.js';
import { speak, type CallbackUrls } from '../telephony/twiml.js';
import { lineClosedTwiml } from '../telephony/line-closed.js';
import { resolveQueue } from '../telephony/queues-schema.js';
import {
  holdTwiml,
  HOLD_PAUSE_SECONDS,
  int,
  isRecordedMessage,
  queueChoiceTwiml,
  queueDoneTwiml,
  queueDoneWithoutConfig,
  queueOutcome,
  type HoldState,
  type QueueContext,
  type QueueResultInput,
} from '../telephony/queue-twiml.js';
import type { CallOutcome, Metrics } from './metrics.js';
import { writeConsent } from './consent-write.js';
import { identifyRoutes, type IdentityOptions } from './identify-routes.js';
import { RequestLogger } from './request-logger.js';
import { requestBaseUrl, twilioSignatureCheck } from './signature.js';
import type { RecordingStarter } from '../telephony/recording.js';
import { ownValue } from '../util/own.js';
import type { JourneyRecorder } from '../store/journey-recorder.js';
import { journeyHooks } from './journey-hooks.js';
import type { CallbackStore } from '../store/callback-port.js';
import { callbackGoodbye, callbackRoutes } from './callback-routes.js';

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
  /** Shared "done once" claims; without them, this process's memory (one instance only). */
  claims?: ClaimStore | undefined;
  identity?: IdentityOptions | undefined;
  /** Journey events of every webhook (batched, off the answer's path); none when absent. */
  journal?: JourneyRecorder | undefined;
  /** Callback requests (issue 14); without it the hold offers no callback routes. */
  callbacks?: CallbackStore | undefined;
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
  const journey = journeyHooks(opts.journal);
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
    return reply.code(200).type(TWIML).send(fallbackDocument(registry.current));
  });

  const urlsFor = (request: FastifyRequest, version: string, notices: Readonly<Record<string, string>>): CallbackUrls => {
    const base = requestBaseUrl(request, opts.publicUrl);
    return {
      base,
      menu: (state: CallState) => `${base}/voice/menu?${encodeCallQuery(version, state, notices)}`,
      noInput: (state: CallState) => `${base}/voice/menu?${encodeCallQuery(version, state, notices)}&e=noinput`,
      queueWait: (route, lang) => `${base}/voice/queue/wait?${new URLSearchParams({ v: version, route, l: lang })}`,
      queueDone: (route, lang, consent) => `${base}/voice/queue/done?${new URLSearchParams({ v: version, route, l: lang, c: consent ? '1' : '0' })}`,
      identify: (route, lang) => `${base}/voice/identify?${new URLSearchParams({ v: version, route, l: lang })}`,
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
      return reply.type(TWIML).send(fallbackDocument(registry.current));
    }
    const pinned = input.kind === 'start' ? undefined : decodeCallQuery(request.query as Record<string, unknown>);
    // The call's own version (from memory or the version store); else the current one, while
    // the consent still names the notice the signed state says the caller heard.
    const own = pinned !== undefined ? await registry.resolve(pinned.version) : undefined;
    const config = own ?? registry.current;
    const heardNotices = own === undefined ? pinned?.notices : undefined;
    if (pinned !== undefined && own === undefined) request.log.warn({ version: pinned.version }, "call's config version not found; going on with the current one");
    if (!config) {
      metrics.fallbacks.inc({ reason: 'no-config' });
      return reply.type(TWIML).send(fallbackDocument(undefined));
    }
    const closures = await closuresNow(request);
    const lineClosed = input.kind === 'start' ? activeLineClosure(closures, at) : undefined;
    if (lineClosed && input.kind === 'start') {
      // The whole line is closed: a new call hears the reason and where else to turn, then goodbye.
      metrics.closedHits.inc({ schedule: LINE_CLOSURE_ID });
      progress.finish(params.data.CallSid);
      request.callStep = { node: LINE_CLOSURE_ID, version: config.version, done: true };
      request.log.info({ until: lineClosed.until }, 'whole line closed: reason and goodbye');
      return reply.type(TWIML).send(lineClosedTwiml(config.speech, input.lang ?? 'cs', lineClosed.reason));
    }
    const result = playTurn({
      config,
      state: pinned?.state,
      input,
      at,
      closures,
      callSid: params.data.CallSid,
      from: params.data.From,
      urls: urlsFor(request, config.version, heardNotices ?? noticeHashes(config)),
      heardNotices,
    });
    progress.reached(params.data.CallSid, result.step.state.node);
    journey.turn({ callSid: params.data.CallSid, at, input: input.kind, key: input.kind === 'digits' ? input.digits : undefined, before: pinned?.state?.node, turn: result });
    if (result.choice !== undefined) metrics.menuChoices.inc({ digit: result.choice });
    for (const schedule of result.closedSchedules) metrics.closedHits.inc({ schedule });
    const consentInLog = result.consent ? await writeConsent(request.log, consentLog, metrics, result.consent) : false;
    const connect = result.step.actions.find((a) => a.type === 'connect');
    if (connect) metrics.routes.inc({ target: connect.queue });
    request.callStep = { node: result.step.state.node, version: config.version, done: result.step.done };
    const recordDial = consentInLog && result.consent?.decision === 'granted';
    return reply.type(TWIML).send(result.render(recordDial));
  };

  const voiceRoute = { preHandler: checkSignature };
  await app.register(identifyRoutes, {
    registry,
    consentLog,
    metrics,
    now,
    checkSignature,
    // The identify dialogue's own URLs pin the version; the menu URLs it builds carry that version's notices.
    urlsFor: (request: FastifyRequest, version: string) => {
      const pinned = registry.forVersion(version);
      return urlsFor(request, version, pinned ? noticeHashes(pinned) : {});
    },
    identity: opts.identity,
    callOf: (body) => {
      const parsed = callParams.safeParse(body ?? {});
      return parsed.success ? parsed.data : undefined;
    },
    apology: () => fallbackDocument(registry.current),
  });

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
    return reply.type(TWIML).send(fallbackDocument(registry.current));
  });

  // --- While the caller waits, after the queue, recording, call status (issue 5) ----------

  const NAME_PARAM = /^[A-Za-z0-9_-]{1,64}$/;
  const queueContext = (request: FastifyRequest) => {
    const q = request.query as Record<string, unknown>;
    const str = (v: unknown, d: string) => (typeof v === 'string' && NAME_PARAM.test(v) ? v : d);
    const config = registry.forVersion(typeof q.v === 'string' ? q.v : undefined);
    const route = str(q.route, 'general');
    const lang = str(q.l, 'cs');
    const node = config ? ownValue(config.bundle.flow.nodes, route) : undefined;
    const queueId = node?.kind === 'route' ? node.queue : 'general';
    const resolved = config ? (resolveQueue(config.bundle.queues, queueId) ?? resolveQueue(config.bundle.queues, 'general')) : undefined;
    // No callback store, no callback offer (its routes are not registered).
    const queue = resolved && !opts.callbacks ? { ...resolved, callback: { ...resolved.callback, enabled: false } } : resolved;
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
  /** "Recording started for this call", shared by every instance: a retried webhook starts none twice. */
  const claims = opts.claims ?? new MemoryClaimStore();

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
    if (outcome === 'connected' || outcome === 'transferred') ended(callSid, 'connected');
    journey.queueDone(callSid, now(), ctx.route, ctx.queue?.id, body);
    request.log.info({ ...input, outcome, route: ctx.route, queueTime: int(body.QueueTime), dialDuration: int(body.DialCallDuration) }, 'queue ended');
    // Left the queue for a callback (not for a message): goodbye, no recording.
    const bye = outcome === 'message' && config && callSid && opts.callbacks ? await callbackGoodbye(opts.callbacks, callSid, config, ctx.lang, request.log) : undefined;
    if (bye !== undefined) return reply.type(TWIML).send(bye);
    if (!config) {
      const answer = queueDoneWithoutConfig(input);
      if (answer === 'fallback') return reply.type(TWIML).send(fallbackDocument(undefined));
      const bye = new VoiceResponse();
      if (answer === 'hangup') bye.hangup();
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
    // A silent recording is no message: no thanks for it, not counted as one.
    const recorded = isRecordedMessage(body);
    if (config) speak(response, config.speech.utter(ctx.lang, recorded ? 'queue.thanks' : 'queue.goodbye'));
    response.hangup();
    if (recorded) ended(callSidOf(body), 'message');
    if (recorded) journey.message(callSidOf(body), now(), ctx.route);
    request.log.info({ route: ctx.route, recordingSid: body.RecordingSid, seconds: int(body.RecordingDuration) }, recorded ? 'caller left a message' : 'message ended without a recording');
    return reply.type(TWIML).send(response.toString());
  });

  // The agent side's <Queue url>: the caller (this CallSid) is about to be bridged to a
  // person. Recording starts here, and only for a call whose granted consent is in the log.
  // Allowed verbs in this document: Play, Say, Pause, Redirect — we answer an empty one.
  app.post('/voice/queue/bridged', voiceRoute, async (request, reply) => {
    const { body, ctx } = queueContext(request);
    const callerSid = callSidOf(body);
    ended(callerSid, 'connected');
    // Twilio marks a retried webhook with this header; the claim below makes it harmless.
    const retryToken = request.headers['i-twilio-idempotency-token'];
    journey.bridged(callerSid, now(), ctx.route, body);
    if (callerSid !== undefined && opts.recordingStarter) {
      try {
        if (!(await hasGrantedConsent(callerSid))) {
          request.log.info('no granted consent in the log: not recording');
        } else if (!(await claims.claim(`recording:${callerSid}`, new Date(now()).toISOString()))) {
          request.log.info({ idempotencyToken: retryToken }, 'recording already started for this call');
        } else {
          // Claimed first, on any instance: never given back, so even a start that timed out
          // (and may have worked at Twilio) is not repeated by a retry.
          await opts.recordingStarter.start(callerSid);
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

  if (opts.callbacks) {
    await app.register(callbackRoutes, { ...opts, callbacks: opts.callbacks, checkSignature, queueContext });
  }

  // The number's status callback (Twilio console). A call that ends before reaching a
  // person or leaving a message counts as abandoned, by the last node it reached — unless
  // the flow itself ended it (a goodbye node, e.g. after declining recording).
  app.post('/voice/status', voiceRoute, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const status = typeof body.CallStatus === 'string' ? body.CallStatus : 'unknown';
    const callSid = callSidOf(body);
    let abandonedAt: string | undefined;
    if (journey.enabled) {
      // From the journey all instances wrote: right whichever instance saw the call.
      abandonedAt = (await journey.status(request, callSid, now(), body))?.abandonedAt;
      if (abandonedAt !== undefined) metrics.abandoned.inc({ node: abandonedAt });
    } else if (callSid !== undefined && FINAL_CALL_STATUSES.has(status)) {
      const known = progress.finish(callSid);
      const node = known?.node ?? 'unknown';
      const nodes = registry.current?.bundle.flow.nodes;
      const kind = nodes ? ownValue(nodes, node)?.kind : undefined;
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

const noticeHashCache = new WeakMap<CompiledConfig, Record<string, string>>();
/** The notice sha256 per language of a version, carried in the signed state. */
function noticeHashes(config: CompiledConfig): Record<string, string> {
  let hashes = noticeHashCache.get(config);
  if (hashes === undefined) {
    hashes = Object.fromEntries(Object.entries(config.notices).map(([lang, n]) => [lang, n.sha256]));
    noticeHashCache.set(config, hashes);
  }
  return hashes;
}

/** CallStatus values of a call that has ended. */
const FINAL_CALL_STATUSES = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled']);

// Not wrapped in fastify-plugin: its hooks and error handler stay scoped to the voice routes.
export const voiceRoutes = voicePlugin;
