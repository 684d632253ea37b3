// The console's JSON API: opening hours and emergency closures. Type-only, shared by the
// server and web/src (see session.d.ts).

/** An emergency closure in force (or the one just set). */
export interface Closure {
  /** A schedule id, or `line` for the whole line. */
  schedule: string;
  /** ISO instant when it ends by itself. */
  until: string;
  reason: string;
  /** ISO instant when it was set. */
  since: string;
}

export type ClosedReason =
  | { kind: 'outside-hours' }
  | { kind: 'holiday'; name: string }
  | { kind: 'closure'; reason: string }
  | { kind: 'emergency'; reason: string; until: string };

export interface HoursDay {
  /** YYYY-MM-DD in the schedule's zone. */
  date: string;
  weekday: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
  /** Open intervals that day, local "HH:MM". Empty when closed all day. */
  intervals: { from: string; to: string }[];
  closed?: ClosedReason | undefined;
  /** The day in Czech, as `infoline hours` prints it. */
  text: string;
}

/** GET /api/hours?from=&days= */
export interface HoursInfo {
  from: string;
  zone: string;
  days: number;
  schedules: { id: string; name: string; timezone: string; emergency: Closure | null; days: HoursDay[] }[];
}

/** GET /api/closures. */
export interface ClosuresInfo {
  now: string;
  /** The whole-line closure in force, if any. */
  line: Closure | null;
  schedules: { id: string; name: string; closure: Closure | null; open: boolean; nextOpening: string | null; closesAt: string | null }[];
}

/** POST /api/closures; GET /api/closure-preview takes the same fields as its query. */
export interface CloseBody {
  schedule: string;
  /** `30m`, `2h`, `eod`, a local Prague time or an ISO instant. */
  until: string;
  /** What callers hear. */
  reason: string;
}

/** The answer of POST /api/closures. */
export interface ClosureSet {
  closure: Closure;
}

/** The answer of DELETE /api/closures/:schedule. */
export interface ClosureCleared {
  removed: boolean;
}

/** GET /api/closure-preview: the sentences callers would hear. */
export interface ClosurePreview {
  schedule: string;
  until: string;
  sentences: string[];
  /** For the whole line: the prompt the sentence comes from. */
  promptKey?: string | undefined;
}

/** GET /api/closure-history: who set each closure in force, and when. */
export interface ClosureHistory {
  closures: Record<string, { who: string; at: string }>;
}
