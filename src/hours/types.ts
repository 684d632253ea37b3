// Public types of the opening-hours engine. Pure: no clock, no I/O; "now" is always a parameter.

/** An emergency closure set by a supervisor: the schedule is closed until `until`. */
export interface EmergencyClosure {
  schedule: string;
  /** ISO instant (UTC) when the closure ends by itself. */
  until: string;
  reason: string;
  /** ISO instant when it was set. */
  since: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "HH:MM" local wall-clock time in the schedule's zone. `to` <= `from` means the interval crosses midnight. */
export interface Interval {
  from: string;
  to: string;
}

export interface DatedClosure {
  /** First and last local date closed (YYYY-MM-DD, inclusive). `to` defaults to `from`. */
  from: string;
  to?: string | undefined;
  reason: string;
}

export interface ExtraOpening {
  /** Local date (YYYY-MM-DD) with intervals that replace the weekly ones for that day. */
  date: string;
  intervals: Interval[];
  reason?: string | undefined;
}

export interface Schedule {
  /** Name for people ("Lázeňství"); the id is the key. */
  name?: string | undefined;
  /** IANA zone, e.g. Europe/Prague. */
  timezone: string;
  weekly: Partial<Record<Weekday, Interval[]>>;
  /** ISO country code (optionally with state, "CZ" / "DE-BY") for public holidays via date-holidays. */
  holidays?: string | undefined;
  closures?: DatedClosure[] | undefined;
  openings?: ExtraOpening[] | undefined;
}

export type ClosedReason =
  | { kind: 'outside-hours' }
  | { kind: 'holiday'; name: string }
  | { kind: 'closure'; reason: string }
  | { kind: 'emergency'; reason: string; until: string };

export type OpenStatus = { open: true; closesAt: Date | null } | { open: false; reason: ClosedReason; nextOpening: Date | null };

/** One local day of a schedule, for `infoline hours` and the console. */
export interface ScheduleDay {
  /** YYYY-MM-DD in the schedule's zone. */
  date: string;
  weekday: Weekday;
  /** Open intervals that day, "HH:MM"–"HH:MM" local. Empty when closed all day. */
  intervals: Interval[];
  /** Why the day (or part of it) is closed: holiday name, dated closure, emergency closure. */
  closed?: ClosedReason | undefined;
}

/** Consecutive weekdays sharing the same intervals, e.g. mon–thu 08:00–16:00. */
export interface WeeklyGroup {
  days: Weekday[];
  intervals: Interval[];
}

/** When something happens, relative to the caller's local day. */
export type RelativeWhen =
  | { kind: 'today'; time: string }
  | { kind: 'tomorrow'; time: string }
  | { kind: 'weekday'; weekday: Weekday; time: string }
  | { kind: 'date'; date: string; day: number; month: number; time: string };
