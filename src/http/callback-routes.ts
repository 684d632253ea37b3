// Callback instead of waiting (issue 14): the caller's dialogue inside the hold (waitUrl)
// document, and the webhooks of the outbound callback call. Registered inside the voice
// plugin, so the signature check, CallSid logging and the apology on errors apply here too.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CompiledConfig } from '../call/compiled.js';
import { callableCaller, parseCzechNumber } from '../callback/number.js';
import { answeredByMachine, callbackSettings, FINAL_OUTBOUND_STATUSES, placementWindow, retrySettlement } from '../callback/policy.js';
import type { ConfigRegistry } from '../config/registry.js';
import { maskCaller, sha256Hex, type ConsentRecord } from '../consent/record.js';
import type { CallbackRequest, CallbackStore } from '../store/callback-port.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import type { ConsentLog, SwitchStore } from '../store/ports.js';
import {
  callbackGoodbyeTwiml,
  CALLBACK_MAX_TRIES,
  confirmCallerTwiml,
  enterNumberTwiml,
  keepWaitingTwiml,
  offerOtherChoiceTwiml,
  outboundEndTwiml,
  outboundEnqueueTwiml,
  outboundGreetingTwiml,
  readBackTwiml,
  requestedTwiml,
  type DialogueState,
  type OutboundContext,
} from '../telephony/callback-twiml.js';
import { int, parseOutboundQuery } from '../telephony/callback-urls.js';
import type { QueueContext } from '../telephony/queue-twiml.js';
import { GENERAL_QUEUE, resolveQueueOrGeneral } from '../telephony/queues-schema.js';
import { closuresNow } from './closures-now.js';
import type { HoldContextReader } from './hold-context.js';
import type { JourneyHooks } from './journey-hooks.js';
import type { Metrics } from './metrics.js';
import { TWIML } from './voice-hooks.js';
import { requestBaseUrl } from './signature.js';
import { rawBody, readBody } from './voice-params.js';

export interface CallbackRouteOptions {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  callbacks: CallbackStore;
  metrics: Metrics;
  publicUrl: string | undefined;
  now: () => number;
  checkSignature: preHandlerAsyncHookHandler;
  /** Journey events: a stored request is the call's `callback` (the report's per-queue count). */
  journey?: JourneyHooks | undefined;
  /** The voice plugin's reading of a hold request (config version, route, queue, language). */
  queueContext: HoldContextReader;
}

const SID = /^[A-Za-z0-9_-]{2,64}$/;
/** Draft value marking a call whose request already existed (same number, same queue). */
export const ACKNOWLEDGED = 'acknowledged';

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/**
 * The Enqueue action's answer to a <Leave> made for a callback (a goodbye, no message
 * recording), or undefined when the caller left to leave a message.
 */
export async function callbackGoodbye(
  callbacks: CallbackStore,
  callSid: string,
  config: CompiledConfig,
  lang: string,
  log: FastifyRequest['log'],
): Promise<string | undefined> {
  try {
    const left = (await callbacks.byOrigin(callSid)) !== undefined || (await callbacks.draft(callSid)) === ACKNOWLEDGED;
    return left ? callbackGoodbyeTwiml(config, lang) : undefined;
  } catch (err) {
    log.error({ err }, 'callback store unreadable; treating the <Leave> as a message');
    return undefined;
  }
}

export async function callbackRoutes(app: FastifyInstance, opts: CallbackRouteOptions): Promise<void> {
  const { registry, consentLog, switches, callbacks, metrics, now } = opts;
  const route = { preHandler: opts.checkSignature };
  const count = (result: string) => metrics.callbacks.inc({ result });
  // The gauge reads the store on each scrape: every configured queue, 0 when none is open.
  metrics.callbackSource.read = async () => {
    const open = await callbacks.openByQueue();
    const ids = new Set([...Object.keys(registry.current?.bundle.queues.queues ?? {}), ...Object.keys(open)]);
    return Object.fromEntries([...ids].map((id) => [id, open[id] ?? 0]));
  };

  const dialogue = (request: FastifyRequest) => {
    const hold = opts.queueContext(request);
    const body = readBody(rawBody, request.body);
    const state: DialogueState = { offeredAt: hold.query.t ?? int(body.QueueTime) ?? 0, tries: hold.query.a ?? 0 };
    const callSid = SID.test(str(body.CallSid)) ? str(body.CallSid) : undefined;
    return { ...hold, body, state, callSid, digits: str(body.Digits) };
  };

  /** Stores the request (durable before we answer) and thanks the caller; on a store failure they keep waiting. */
  const request = async (
    req: FastifyRequest,
    config: CompiledConfig,
    ctx: QueueContext,
    state: DialogueState,
    callSid: string,
    number: string,
    to: string,
  ) => {
    const at = now();
    const queue = ctx.queue?.id ?? GENERAL_QUEUE;
    try {
      const { created, request: stored } = await callbacks.create({
        originCallSid: callSid,
        queue,
        route: ctx.route,
        lang: ctx.lang,
        number,
        from: to,
        at: new Date(at).toISOString(),
      });
      const already = !created && stored.originCallSid !== callSid;
      if (already) await callbacks.saveDraft(callSid, ACKNOWLEDGED, new Date(at).toISOString());
      if (created) {
        count('requested');
        opts.journey?.callback(callSid, at, ctx.route);
      }
      req.log.info(
        { callbackId: stored.id, queue, created, number: maskCaller(number) },
        created ? 'callback requested' : 'callback request already open',
      );
      const window = placementWindow(config.bundle, queue, at, await closuresNow(switches, req));
      const when = window.open ? undefined : config.speech.when(ctx.lang, new Date(at), window.nextOpening, window.timezone);
      return requestedTwiml(config, ctx, { already, when });
    } catch (err) {
      count('error');
      req.log.error({ err }, 'callback request could not be stored; the caller keeps waiting');
      return keepWaitingTwiml(config, ctx, state, 'callback.unavailable');
    }
  };

  const answer = (reply: { type(t: string): { send(b: string): unknown } }, body: string) => reply.type(TWIML).send(body);

  // The hold offer's Gather: 1 wait, 2 callback, 3 message, 4 where else.
  app.post('/voice/callback/offer', route, async (req, reply) => {
    const { config, ctx, state, body, digits } = dialogue(req);
    if (!config) return answer(reply, new VoiceResponse().toString());
    req.log.info({ route: ctx.route, choice: ['1', '2', '3', '4'].includes(digits) ? digits : 'other' }, 'callback offer answered');
    if (digits !== '2') return answer(reply, offerOtherChoiceTwiml(config, ctx, state, digits));
    const caller = callableCaller(body.From);
    return answer(reply, caller ? confirmCallerTwiml(config, ctx, state, caller) : enterNumberTwiml(config, ctx, state));
  });

  // A number typed on the keypad, ending with #.
  app.post('/voice/callback/number', route, async (req, reply) => {
    const { config, ctx, state, callSid, digits } = dialogue(req);
    if (!config) return answer(reply, new VoiceResponse().toString());
    const number = parseCzechNumber(digits);
    if (number === undefined || callSid === undefined) {
      req.log.info({ length: digits.length }, 'callback number not valid');
      const next = { ...state, tries: state.tries + 1 };
      return answer(
        reply,
        next.tries >= CALLBACK_MAX_TRIES ? keepWaitingTwiml(config, ctx, next) : enterNumberTwiml(config, ctx, next, true),
      );
    }
    try {
      await callbacks.saveDraft(callSid, number, new Date(now()).toISOString());
    } catch (err) {
      req.log.error({ err }, 'callback number could not be kept; the caller keeps waiting');
      return answer(reply, keepWaitingTwiml(config, ctx, state, 'callback.unavailable'));
    }
    return answer(reply, readBackTwiml(config, ctx, state, number));
  });

  // 1 confirms (the caller's own number, n=caller, or the entered one, n=entered), 2 another number.
  app.post('/voice/callback/confirm', route, async (req, reply) => {
    const { config, ctx, state, callSid, body, digits, query } = dialogue(req);
    if (!config) return answer(reply, new VoiceResponse().toString());
    const source = query.n;
    if (callSid !== undefined && digits === '1') {
      // A retried webhook finds the request it already made (the draft is gone by then).
      const existing = await callbacks.byOrigin(callSid);
      if (existing) return answer(reply, await request(req, config, ctx, state, callSid, existing.number, existing.from));
      const number = source === 'caller' ? callableCaller(body.From) : await callbacks.draft(callSid);
      if (number !== undefined && number !== ACKNOWLEDGED)
        return answer(reply, await request(req, config, ctx, state, callSid, number, str(body.To)));
      return answer(reply, enterNumberTwiml(config, ctx, state));
    }
    if (digits === '2') return answer(reply, enterNumberTwiml(config, ctx, state));
    const next = { ...state, tries: state.tries + 1 };
    if (next.tries >= CALLBACK_MAX_TRIES || callSid === undefined) return answer(reply, keepWaitingTwiml(config, ctx, next));
    if (source === 'caller') {
      const caller = callableCaller(body.From);
      return answer(reply, caller ? confirmCallerTwiml(config, ctx, next, caller) : enterNumberTwiml(config, ctx, next));
    }
    const draft = await callbacks.draft(callSid);
    return answer(reply, draft && draft !== ACKNOWLEDGED ? readBackTwiml(config, ctx, next, draft) : enterNumberTwiml(config, ctx, next));
  });

  // --- The outbound call placed by the dispatcher ------------------------------------------

  const outbound = async (req: FastifyRequest) => {
    const q = parseOutboundQuery(req.query);
    const body = readBody(rawBody, req.body);
    const stored = q.id !== undefined ? await callbacks.get(q.id) : undefined;
    const config = registry.forVersion(q.version) ?? registry.current;
    const lang = stored?.lang ?? DEFAULT_LANGUAGE;
    const callSid = SID.test(str(body.CallSid)) ? str(body.CallSid) : undefined;
    const o = (r: CallbackRequest, c: CompiledConfig): OutboundContext => ({
      id: r.id,
      ctx: {
        route: r.route,
        lang: r.lang,
        queue: resolveQueueOrGeneral(c.bundle.queues, r.queue),
        base: requestBaseUrl(req, opts.publicUrl),
        version: c.version,
      },
    });
    return { stored, config, lang, callSid, body, q, o };
  };

  const retry = async (
    req: FastifyRequest,
    config: CompiledConfig,
    stored: CallbackRequest,
    callSid: string | undefined,
    result: string,
  ) => {
    const settings = callbackSettings(config.bundle, stored.queue) ?? { maxAttempts: 1, retryMinutes: 30 };
    const settlement = retrySettlement(stored, settings, now());
    const applied = await callbacks.settle(stored.id, settlement, callSid);
    if (applied) {
      count(result);
      if (settlement.status === 'failed') count('failed');
    }
    req.log.info({ callbackId: stored.id, result, next: settlement.status, applied }, 'callback attempt ended');
  };

  app.post('/voice/callback/answer', route, async (req, reply) => {
    const { stored, config, lang, callSid, body, o } = await outbound(req);
    if (!config) return answer(reply, new VoiceResponse().hangup().toString());
    if (!stored || stored.status !== 'calling') return answer(reply, outboundEndTwiml(config, lang, 'callback.goodbye'));
    if (answeredByMachine(body.AnsweredBy)) {
      await retry(req, config, stored, callSid, 'voicemail');
      return answer(reply, outboundEndTwiml(config, lang, 'callback.machine'));
    }
    return answer(reply, outboundGreetingTwiml(config, o(stored, config)));
  });

  app.post('/voice/callback/accept', route, async (req, reply) => {
    const { stored, config, lang, callSid, body, q, o } = await outbound(req);
    if (!config) return answer(reply, new VoiceResponse().hangup().toString());
    if (!stored || stored.status !== 'calling' || callSid === undefined)
      return answer(reply, outboundEndTwiml(config, lang, 'callback.goodbye'));
    if (!q.noInput && str(body.Digits) === '1') {
      const at = now();
      const noticeText = config.speech.text(lang, 'callback.notice');
      const sha = sha256Hex(noticeText);
      const consent: ConsentRecord = {
        callSid,
        at: new Date(at).toISOString(),
        caller: maskCaller(stored.number),
        decision: 'granted',
        language: lang,
        route: stored.queue,
        noticeId: 'callback.notice',
        noticeVersion: sha.slice(0, 12),
        noticeSha256: sha,
        flowVersion: config.version,
      };
      try {
        const { inserted } = await consentLog.append(consent);
        if (inserted) metrics.consents.inc({ decision: 'granted' });
      } catch (err) {
        metrics.consentFailures.inc();
        req.log.error({ err }, 'consent could not be written; connecting without recording');
      }
      if (await callbacks.settle(stored.id, { status: 'done' }, callSid)) count('connected');
      req.log.info({ callbackId: stored.id, queue: stored.queue }, 'callback connected to the queue');
      return answer(reply, outboundEnqueueTwiml(o(stored, config)));
    }
    if (!q.repeated) return answer(reply, outboundGreetingTwiml(config, o(stored, config), true));
    await retry(req, config, stored, callSid, 'no-key');
    return answer(reply, outboundEndTwiml(config, lang, 'callback.noKey'));
  });

  // The outbound call's status callback: an attempt that ended without a connection is retried.
  app.post('/voice/callback/status', route, async (req, reply) => {
    const { stored, config, callSid, body } = await outbound(req);
    const status = str(body.CallStatus);
    if (stored && config && stored.status === 'calling' && FINAL_OUTBOUND_STATUSES.has(status)) {
      await retry(req, config, stored, callSid, status === 'completed' ? 'no-key' : status);
    }
    req.log.info({ callbackId: stored?.id, callStatus: status, answeredBy: str(body.AnsweredBy) || undefined }, 'callback call status');
    return answer(reply, new VoiceResponse().toString());
  });
}
