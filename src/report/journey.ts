// Journey events: what happened on a call, one row per fact, written by whichever instance
// answered the webhook. No caller number and no digits other than a menu choice: `detail`
// holds only a mapped menu key, a schedule id, a Twilio result/status word.

export const JOURNEY_KINDS = [
  'start', // the call reached /voice/incoming; node = where it is now (the main menu)
  'choice', // a mapped menu key; node = the menu, detail = the key
  'invalid', // an unmapped key; node = the menu (the key itself is not kept)
  'noInput', // silence at a menu; node = the menu
  'closed', // a team was closed when asked for; detail = the schedule id
  'menu', // the call now waits at another menu (node)
  'route', // connected towards a queue; node = the route node, queue = the queue id
  'goodbye', // the flow said goodbye and hung up
  'declined', // the caller declined recording (then goodbye)
  'queueResult', // <Enqueue>/<Dial> action: detail = QueueResult/DialCallStatus, seconds = QueueTime
  'bridged', // the agent side dequeued the caller (<Queue url>); seconds = QueueTime when sent
  'message', // the caller left a recorded message
  'callback', // the caller asked to be called back
  'status', // the status callback: detail = CallStatus, seconds = CallDuration
] as const;

export type JourneyKind = (typeof JOURNEY_KINDS)[number];

export interface JourneyEvent {
  callSid: string;
  /** ISO 8601 UTC (toISOString form). */
  at: string;
  /** Flow node the event is about ('' when none, e.g. a status callback). */
  node: string;
  kind: JourneyKind;
  /** Queue id (config/queues.yaml) for route and queue events. */
  queue?: string | undefined;
  detail?: string | undefined;
  seconds?: number | undefined;
}

/** CallStatus values of a call that has ended. */
export const FINAL_CALL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled']);

const WORD = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A free-form Twilio word (status, result) kept only when it looks like one. */
export function journeyWord(value: unknown): string | undefined {
  return typeof value === 'string' && WORD.test(value) ? value : undefined;
}

/** Whole non-negative seconds from a Twilio parameter, or undefined. */
export function journeySeconds(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && n < 1e7 ? Math.round(n) : undefined;
}

const CANONICAL = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** toISOString form; the webhooks' own instants already are (checked without a round trip). */
function canonicalInstant(at: unknown): string {
  if (typeof at === 'string' && CANONICAL.test(at) && !Number.isNaN(Date.parse(at))) return at;
  const ms = typeof at === 'string' && /(Z|[+-]\d{2}:?\d{2})$/.test(at) ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError('journey at is not an ISO 8601 instant with offset');
  return new Date(ms).toISOString();
}

/** Validates an event (throws on a malformed one) and returns its canonical copy. */
export function normaliseJourneyEvent(e: JourneyEvent): JourneyEvent {
  if (typeof e.callSid !== 'string' || !/^[A-Za-z0-9_-]{2,64}$/.test(e.callSid)) throw new TypeError('journey callSid is malformed');
  if (!(JOURNEY_KINDS as readonly string[]).includes(e.kind)) throw new TypeError(`journey kind ${String(e.kind)} is unknown`);
  if (typeof e.node !== 'string' || e.node.length > 64) throw new TypeError('journey node is malformed');
  const out: JourneyEvent = { callSid: e.callSid, at: canonicalInstant(e.at), node: e.node, kind: e.kind };
  if (e.queue !== undefined && e.queue !== null) out.queue = String(e.queue).slice(0, 64);
  if (e.detail !== undefined && e.detail !== null) out.detail = String(e.detail).slice(0, 64);
  if (e.seconds !== undefined && e.seconds !== null) {
    if (!Number.isInteger(e.seconds) || e.seconds < 0) throw new RangeError('journey seconds must be a whole non-negative number');
    out.seconds = e.seconds;
  }
  return out;
}
