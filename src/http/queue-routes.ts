// While the caller waits (<Enqueue waitUrl>), the overflow offer, after the queue or dial
// ends (<Enqueue action>, <Dial action>) and the voice message (issue 5); the callback
// dialogue inside the hold is registered here too (issue 14).
import type { FastifyInstance } from 'fastify';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { int } from '../telephony/callback-urls.js';
import { fallbackDocument } from '../telephony/fallback.js';
import {
  holdTwiml,
  HOLD_PAUSE_SECONDS,
  isRecordedMessage,
  queueChoiceTwiml,
  queueDoneTwiml,
  queueDoneWithoutConfig,
  queueOutcome,
  type HoldState,
  type QueueResultInput,
} from '../telephony/queue-twiml.js';
import { GENERAL_QUEUE, resolveQueue } from '../telephony/queues-schema.js';
import { speak } from '../telephony/twiml.js';
import { callbackGoodbye, callbackRoutes } from './callback-routes.js';
import type { HoldRouteOptions } from './hold-context.js';
import { choiceBody, doneBody, messageBody, rawBody, readBody, waitBody } from './voice-params.js';
import { TWIML } from './voice-hooks.js';

export type QueueRouteOptions = HoldRouteOptions;

export async function queueRoutes(app: FastifyInstance, opts: QueueRouteOptions): Promise<void> {
  const { consentLog, now, journey, holdContext, progress } = opts;
  const route = { preHandler: opts.checkSignature };

  app.post('/voice/queue/wait', route, async (request, reply) => {
    const { config, ctx, query } = holdContext(request);
    // No config at all: plain hold (Twilio asks again after it), never a tight request loop.
    if (!config) {
      const hold = new VoiceResponse();
      hold.pause({ length: HOLD_PAUSE_SECONDS });
      return reply.type(TWIML).send(hold.toString());
    }
    const state: HoldState = { cycle: query.k ?? 0, quietUntil: query.s };
    return reply.type(TWIML).send(holdTwiml(config, ctx, readBody(waitBody, request.body), state));
  });

  app.post('/voice/queue/choice', route, async (request, reply) => {
    const { config, ctx, query } = holdContext(request);
    if (!config) return reply.type(TWIML).send(new VoiceResponse().toString());
    const body = readBody(choiceBody, request.body);
    const offeredAt = query.t ?? body.QueueTime ?? 0;
    request.log.info(
      { route: ctx.route, choice: ['1', '2', '3'].includes(body.Digits) ? body.Digits : 'other' },
      'queue overflow answered',
    );
    return reply.type(TWIML).send(queueChoiceTwiml(config, ctx, body.Digits, offeredAt));
  });

  app.post('/voice/queue/done', route, async (request, reply) => {
    const { config, ctx } = holdContext(request);
    const body = readBody(doneBody, request.body);
    const input: QueueResultInput = { queueResult: body.QueueResult, dialStatus: body.DialCallStatus };
    const outcome = queueOutcome(input);
    const callSid = body.CallSid;
    if (callSid !== undefined && (outcome === 'connected' || outcome === 'transferred')) progress.ended(callSid, 'connected');
    journey.queueDone(callSid, now(), ctx.route, ctx.queue?.id, readBody(rawBody, request.body));
    request.log.info(
      { ...input, outcome, route: ctx.route, queueTime: body.QueueTime, dialDuration: body.DialCallDuration },
      'queue ended',
    );
    // Left the queue for a callback (not for a message): goodbye, no recording.
    const bye =
      outcome === 'message' && config && callSid && opts.callbacks
        ? await callbackGoodbye(opts.callbacks, callSid, config, ctx.lang, request.log)
        : undefined;
    if (bye !== undefined) return reply.type(TWIML).send(bye);
    if (!config) {
      const answer = queueDoneWithoutConfig(input);
      if (answer === 'fallback') return reply.type(TWIML).send(fallbackDocument(undefined));
      const end = new VoiceResponse();
      if (answer === 'hangup') end.hangup();
      return reply.type(TWIML).send(end.toString());
    }
    // A retry on the general line by <Dial> records only a consent that is in the log.
    const general = resolveQueue(config.bundle.queues, GENERAL_QUEUE);
    let recordDial = false;
    if (general?.dial && ctx.consent && callSid !== undefined && (outcome === 'unavailable' || outcome === 'error')) {
      try {
        recordDial = (await consentLog.list({ callSid, decision: 'granted' })).length > 0;
      } catch (err) {
        request.log.error({ err }, 'consent log unreadable; the general line is dialled without recording');
      }
    }
    return reply.type(TWIML).send(queueDoneTwiml(config, ctx, input, { recordDial }));
  });

  app.post('/voice/queue/message', route, async (request, reply) => {
    const { config, ctx } = holdContext(request);
    const body = readBody(messageBody, request.body);
    const response = new VoiceResponse();
    // A silent recording is no message: no thanks for it, not counted as one.
    const recorded = isRecordedMessage(body);
    if (config) speak(response, config.speech.utter(ctx.lang, recorded ? 'queue.thanks' : 'queue.goodbye'));
    response.hangup();
    if (recorded && body.CallSid !== undefined) progress.ended(body.CallSid, 'message');
    if (recorded) journey.message(body.CallSid, now(), ctx.route);
    request.log.info(
      { route: ctx.route, recordingSid: body.RecordingSid, seconds: int(body.RecordingDuration) },
      recorded ? 'caller left a message' : 'message ended without a recording',
    );
    return reply.type(TWIML).send(response.toString());
  });

  if (opts.callbacks) {
    await app.register(callbackRoutes, { ...opts, callbacks: opts.callbacks, queueContext: holdContext });
  }
}
