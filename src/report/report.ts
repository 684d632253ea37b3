// The supervisor's report: figures over the calls that started in [from, to), computed from
// their journeys. Pure: the events and the service-level threshold come in as parameters.
import { groupByCall, summariseCall, type CallSummary } from './call-summary.js';
import type { JourneyEvent } from './journey.js';

export const DEFAULT_SERVICE_LEVEL_SECONDS = 20;

export interface QueueFigures {
  entered: number;
  /** Bridged to an agent. */
  answered: number;
  /** Hung up while waiting in the queue. */
  abandoned: number;
  messages: number;
  callbacks: number;
  /** Wait of answered calls, seconds (nearest-rank percentile); null when none answered. */
  waitP50: number | null;
  waitP90: number | null;
  /** Answered within serviceLevelSeconds ÷ (answered + abandoned); null when both are 0. */
  serviceLevel: number | null;
}

export interface Report {
  calls: number;
  choices: Record<string, number>;
  declined: number;
  closed: Record<string, number>;
  abandonedInMenu: number;
  abandonedByNode: Record<string, number>;
  queues: Record<string, QueueFigures>;
  serviceLevelSeconds: number;
}

export interface ReportRange {
  /** ISO instants; a call counts when its start is in [from, to). */
  from: string;
  to: string;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Nearest-rank percentile of ascending values: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/** Summaries of the calls that started in the range, in start order. */
export function callsInRange(events: readonly JourneyEvent[], range: ReportRange): CallSummary[] {
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  const out: CallSummary[] = [];
  for (const [callSid, list] of groupByCall(events)) {
    const s = summariseCall(callSid, list);
    if (s.startedAt === undefined) continue;
    const at = Date.parse(s.startedAt);
    if (at >= from && at < to) out.push(s);
  }
  return out.sort((a, b) => (a.startedAt! < b.startedAt! ? -1 : a.startedAt! > b.startedAt! ? 1 : 0));
}

const increment = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

const sortedKeys = <T>(map: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function buildReport(calls: readonly CallSummary[], serviceLevelSeconds = DEFAULT_SERVICE_LEVEL_SECONDS): Report {
  const choices: Record<string, number> = Object.fromEntries(DIGITS.map((d) => [d, 0]));
  const closed: Record<string, number> = {};
  const abandonedByNode: Record<string, number> = {};
  const waits = new Map<string, number[]>();
  const queues: Record<string, QueueFigures> = {};
  let declined = 0;
  let abandonedInMenu = 0;
  for (const call of calls) {
    if (call.firstChoice !== undefined && call.firstChoice in choices) increment(choices, call.firstChoice);
    if (call.declined) declined += 1;
    for (const schedule of call.closed) increment(closed, schedule);
    if (call.ended && !call.leftMenu) {
      abandonedInMenu += 1;
      increment(abandonedByNode, call.lastNode);
    }
    for (const visit of call.queues) {
      const q = (queues[visit.queue] ??= {
        entered: 0,
        answered: 0,
        abandoned: 0,
        messages: 0,
        callbacks: 0,
        waitP50: null,
        waitP90: null,
        serviceLevel: null,
      });
      q.entered += 1;
      if (visit.answered) {
        q.answered += 1;
        const list = waits.get(visit.queue) ?? [];
        list.push(visit.waitSeconds ?? 0);
        waits.set(visit.queue, list);
      } else if (visit.abandoned) {
        q.abandoned += 1;
      }
      if (visit.message) q.messages += 1;
      if (visit.callback) q.callbacks += 1;
    }
  }
  for (const [id, q] of Object.entries(queues)) {
    const list = (waits.get(id) ?? []).sort((a, b) => a - b);
    q.waitP50 = percentile(list, 50);
    q.waitP90 = percentile(list, 90);
    const within = list.filter((w) => w <= serviceLevelSeconds).length;
    const denominator = q.answered + q.abandoned;
    q.serviceLevel = denominator === 0 ? null : within / denominator;
  }
  return {
    calls: calls.length,
    choices,
    declined,
    closed: sortedKeys(closed),
    abandonedInMenu,
    abandonedByNode: sortedKeys(abandonedByNode),
    queues: sortedKeys(queues),
    serviceLevelSeconds,
  };
}

/** The report of the calls that started in the range. */
export function journeyReport(events: readonly JourneyEvent[], range: ReportRange, serviceLevelSeconds?: number): Report {
  return buildReport(callsInRange(events, range), serviceLevelSeconds);
}
