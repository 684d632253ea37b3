// The console's live view from recent journeys: calls in the menu now, callers waiting per
// queue, the longest wait. Pure: "now" is a parameter.
import { groupByCall, summariseCall } from './call-summary.js';
import type { JourneyEvent } from './journey.js';

/** A menu call with no webhook for this long has gone (its status callback was lost). */
export const MENU_STALE_MS = 5 * 60_000;
/** Calls started this long ago or more are not looked at (no one waits that long). */
export const LIVE_WINDOW_MS = 3 * 3_600_000;

export interface LiveView {
  at: string;
  inMenu: number;
  /** Callers waiting now, per queue id (queues with nobody waiting are left out). */
  waiting: Record<string, number>;
  /** The longest current wait, in seconds, and where; null when nobody waits. */
  longestWait: { queue: string; seconds: number } | null;
}

export function liveView(events: readonly JourneyEvent[], now: number): LiveView {
  let inMenu = 0;
  const waiting: Record<string, number> = {};
  let longest: LiveView['longestWait'] = null;
  for (const [callSid, list] of groupByCall(events)) {
    const s = summariseCall(callSid, list);
    if (s.ended || s.startedAt === undefined || now - Date.parse(s.startedAt) > LIVE_WINDOW_MS) continue;
    const lastAt = Date.parse(list[list.length - 1]!.at);
    if (!s.leftMenu) {
      if (now - lastAt <= MENU_STALE_MS) inMenu += 1;
      continue;
    }
    const visit = s.queues[s.queues.length - 1];
    if (visit === undefined || visit.over) continue;
    waiting[visit.queue] = (waiting[visit.queue] ?? 0) + 1;
    const seconds = Math.max(0, Math.round((now - Date.parse(visit.enteredAt)) / 1000));
    if (longest === null || seconds > longest.seconds) longest = { queue: visit.queue, seconds };
  }
  return {
    at: new Date(now).toISOString(),
    inMenu,
    waiting: Object.fromEntries(Object.entries(waiting).sort(([a], [b]) => (a < b ? -1 : 1))),
    longestWait: longest,
  };
}
