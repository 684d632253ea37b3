// Journey events from the voice webhooks, one call per event site in voice.ts. Without a
// recorder every hook does nothing. Recording never waits for the store.
import type { FastifyRequest } from 'fastify';
import { isAbandoned, summariseCall } from '../report/call-summary.js';
import { FINAL_CALL_STATUSES, journeySeconds, journeyWord, type JourneyEvent } from '../report/journey.js';
import { turnEvents, type TurnFacts } from '../report/turn-events.js';
import type { JourneyRecorder } from '../store/journey-recorder.js';

type Body = Record<string, unknown>;

export interface JourneyHooks {
  readonly enabled: boolean;
  turn(facts: TurnFacts): void;
  queueDone(callSid: string | undefined, at: number, route: string, queue: string | undefined, body: Body): void;
  bridged(callSid: string | undefined, at: number, route: string, body: Body): void;
  message(callSid: string | undefined, at: number, route: string): void;
  /** The caller asked to be called back (a new request was stored). */
  callback(callSid: string | undefined, at: number, route: string): void;
  /**
   * Records the status callback; for a call that has ended, says whether it was abandoned
   * and at which node, from the journey every instance wrote (undefined: not ended, or
   * already counted by an earlier status callback).
   */
  status(
    request: FastifyRequest,
    callSid: string | undefined,
    at: number,
    body: Body,
  ): Promise<{ abandonedAt?: string | undefined } | undefined>;
}

export function journeyHooks(recorder: JourneyRecorder | undefined): JourneyHooks {
  const ev = (callSid: string | undefined, at: number, rest: Omit<JourneyEvent, 'callSid' | 'at'>) => {
    if (recorder && callSid !== undefined) recorder.record([{ callSid, at: new Date(at).toISOString(), ...rest }]);
  };
  return {
    enabled: recorder !== undefined,
    turn: (facts) => recorder?.record(turnEvents(facts)),
    queueDone: (callSid, at, route, queue, body) =>
      ev(callSid, at, {
        node: route,
        kind: 'queueResult',
        queue,
        detail: journeyWord(body.QueueResult) ?? journeyWord(body.DialCallStatus),
        seconds: journeySeconds(body.QueueTime),
      }),
    bridged: (callSid, at, route, body) => ev(callSid, at, { node: route, kind: 'bridged', seconds: journeySeconds(body.QueueTime) }),
    message: (callSid, at, route) => ev(callSid, at, { node: route, kind: 'message' }),
    callback: (callSid, at, route) => ev(callSid, at, { node: route, kind: 'callback' }),
    async status(request, callSid, at, body) {
      if (!recorder || callSid === undefined) return undefined;
      const status = journeyWord(body.CallStatus);
      recorder.record([
        { callSid, at: new Date(at).toISOString(), node: '', kind: 'status', detail: status, seconds: journeySeconds(body.CallDuration) },
      ]);
      if (status === undefined || !FINAL_CALL_STATUSES.has(status)) return undefined;
      try {
        const events = await recorder.callEvents(callSid);
        // A repeated status callback (on any instance) finds an earlier final status: counted once.
        const ends = events.filter((e) => e.kind === 'status' && e.detail !== undefined && FINAL_CALL_STATUSES.has(e.detail));
        if (ends.length > 1) return undefined;
        const summary = summariseCall(callSid, events);
        return { abandonedAt: isAbandoned(summary) ? summary.lastNode : undefined };
      } catch (err) {
        request.log.error({ err }, 'journey store unreadable; abandonment not counted for this call');
        return undefined;
      }
    },
  };
}
