// What one call's journey says: where it went, how it ended. Pure; the events may come from
// several instances and may hold duplicates (retried webhooks): every figure is per call.
import { FINAL_CALL_STATUSES, type JourneyEvent } from './journey.js';

export interface QueueVisit {
  queue: string;
  answered: boolean;
  /** Hung up while waiting (QueueResult hangup), not answered. */
  abandoned: boolean;
  message: boolean;
  callback: boolean;
  /** Seconds waited before an agent answered (QueueTime), when answered. */
  waitSeconds?: number | undefined;
  /** When the call entered the queue (ISO), for the live view. */
  enteredAt: string;
  /** The queue visit is over (any queue result, bridged, message). */
  over: boolean;
}

export interface CallSummary {
  callSid: string;
  startedAt?: string | undefined;
  /** First mapped key pressed at the menu the call started in. */
  firstChoice?: string | undefined;
  declined: boolean;
  /** Schedules the caller heard closed. */
  closed: string[];
  /** The flow routed the call or said goodbye (it did not end in a menu). */
  leftMenu: boolean;
  goodbye: boolean;
  /** The status callback reported the end of the call. */
  ended: boolean;
  /** The last flow node the call reached ('unknown' when none is known). */
  lastNode: string;
  queues: QueueVisit[];
}

const POSITION_KINDS = new Set([
  'start',
  'choice',
  'invalid',
  'noInput',
  'closed',
  'menu',
  'route',
  'goodbye',
  'declined',
  'queueResult',
  'bridged',
  'message',
]);
const ANSWERED_RESULTS = new Set([
  'bridged',
  'bridging-in-process',
  'bridging-in-progress',
  'redirected-from-bridged',
  'completed',
  'answered',
]);
const HANGUP_RESULTS = new Set(['hangup', 'canceled']);

/** Events of one call in the order they happened (at, then the order they were written). */
export function summariseCall(callSid: string, events: readonly JourneyEvent[]): CallSummary {
  const s: CallSummary = {
    callSid,
    declined: false,
    closed: [],
    leftMenu: false,
    goodbye: false,
    ended: false,
    lastNode: 'unknown',
    queues: [],
  };
  let startNode: string | undefined;
  const visit = (): QueueVisit | undefined => s.queues[s.queues.length - 1];
  for (const e of events) {
    if (POSITION_KINDS.has(e.kind) && e.node !== '') s.lastNode = e.node;
    switch (e.kind) {
      case 'start':
        if (s.startedAt === undefined) {
          s.startedAt = e.at;
          startNode = e.node;
        }
        break;
      case 'choice':
        if (s.firstChoice === undefined && e.node === startNode && e.detail !== undefined) s.firstChoice = e.detail;
        break;
      case 'closed':
        if (e.detail !== undefined && !s.closed.includes(e.detail)) s.closed.push(e.detail);
        break;
      case 'route': {
        s.leftMenu = true;
        const queue = e.queue ?? e.node;
        const last = visit();
        // A retried webhook repeats the route: the same open visit, not a second one.
        if (last === undefined || last.queue !== queue || last.over) {
          s.queues.push({ queue, answered: false, abandoned: false, message: false, callback: false, enteredAt: e.at, over: false });
        }
        break;
      }
      case 'goodbye':
        s.leftMenu = true;
        s.goodbye = true;
        break;
      case 'declined':
        s.leftMenu = true;
        s.goodbye = true;
        s.declined = true;
        break;
      case 'queueResult': {
        const v = visit();
        if (v === undefined) break;
        v.over = true;
        if (e.detail !== undefined && ANSWERED_RESULTS.has(e.detail)) {
          v.answered = true;
          v.abandoned = false;
          if (e.seconds !== undefined) v.waitSeconds = e.seconds;
        } else if (e.detail !== undefined && HANGUP_RESULTS.has(e.detail) && !v.answered) {
          v.abandoned = true;
        }
        break;
      }
      case 'bridged': {
        const v = visit();
        if (v === undefined) break;
        v.over = true;
        v.answered = true;
        v.abandoned = false;
        if (v.waitSeconds === undefined && e.seconds !== undefined) v.waitSeconds = e.seconds;
        break;
      }
      // A message left or a callback asked for: the visit ends with it.
      case 'message':
      case 'callback': {
        const v = visit();
        if (v !== undefined) {
          v[e.kind] = true;
          v.over = true;
        }
        break;
      }
      case 'status':
        if (e.detail !== undefined && FINAL_CALL_STATUSES.has(e.detail)) s.ended = true;
        break;
      default:
        break;
    }
  }
  return s;
}

/** Ended before reaching a person, leaving a message or asking for a callback, and not ended by the flow. */
export function isAbandoned(s: CallSummary): boolean {
  return s.ended && !s.goodbye && !s.queues.some((q) => q.answered || q.message || q.callback);
}

/** Groups events by call, each call's events in order (the input is ordered by at, then write order). */
export function groupByCall(events: readonly JourneyEvent[]): Map<string, JourneyEvent[]> {
  const calls = new Map<string, JourneyEvent[]>();
  for (const e of events) {
    let list = calls.get(e.callSid);
    if (list === undefined) calls.set(e.callSid, (list = []));
    list.push(e);
  }
  return calls;
}
