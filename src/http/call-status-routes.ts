// Recording and call status: the agent side's <Queue url> (recording starts when the caller
// is bridged to a person, only after a granted consent in the log) and the number's status
// callback (abandoned calls, by the last node they reached).
import type { FastifyInstance } from 'fastify';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { MemoryClaimStore } from '../store/memory-claims.js';
import { ownValue } from '../util/own.js';
import type { HoldRouteOptions } from './hold-context.js';
import { bridgedBody, rawBody, readBody, statusBody } from './voice-params.js';
import { TWIML } from './voice-hooks.js';

/** CallStatus values of a call that has ended. */
const FINAL_CALL_STATUSES = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled']);

export type CallStatusRouteOptions = HoldRouteOptions;

export async function callStatusRoutes(app: FastifyInstance, opts: CallStatusRouteOptions): Promise<void> {
  const { registry, consentLog, metrics, now, journey, progress } = opts;
  const route = { preHandler: opts.checkSignature };
  /** "Recording started for this call", shared by every instance: a retried webhook starts none twice. */
  const claims = opts.claims ?? new MemoryClaimStore();

  // The agent side's <Queue url>: the caller (this CallSid) is about to be bridged to a
  // person. Recording starts here, and only for a call whose granted consent is in the log.
  // Allowed verbs in this document: Play, Say, Pause, Redirect — we answer an empty one.
  app.post('/voice/queue/bridged', route, async (request, reply) => {
    const { ctx } = opts.holdContext(request);
    const callerSid = readBody(bridgedBody, request.body).CallSid;
    if (callerSid !== undefined) progress.ended(callerSid, 'connected');
    // Twilio marks a retried webhook with this header; the claim below makes it harmless.
    const retryToken = request.headers['i-twilio-idempotency-token'];
    journey.bridged(callerSid, now(), ctx.route, readBody(rawBody, request.body));
    if (callerSid !== undefined && opts.recordingStarter) {
      try {
        if ((await consentLog.list({ callSid: callerSid, decision: 'granted' })).length === 0) {
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

  // The number's status callback (Twilio console). A call that ends before reaching a
  // person or leaving a message counts as abandoned, by the last node it reached — unless
  // the flow itself ended it (a goodbye node, e.g. after declining recording).
  app.post('/voice/status', route, async (request, reply) => {
    const { CallSid: callSid, CallStatus: status, CallDuration: duration } = readBody(statusBody, request.body);
    let abandonedAt: string | undefined;
    if (journey.enabled) {
      // From the journey all instances wrote: right whichever instance saw the call.
      abandonedAt = (await journey.status(request, callSid, now(), readBody(rawBody, request.body)))?.abandonedAt;
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
    request.log.info({ callStatus: status, duration, abandonedAt }, 'call status');
    // Twilio ignores the answer; an empty TwiML document keeps every voice route's answer uniform.
    return reply.type(TWIML).send(new VoiceResponse().toString());
  });
}
