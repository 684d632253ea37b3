// Opening-hours engine. Pure functions: no I/O, no clock — "now" is always an argument.
//
// Decisions (kept in one place so the console, the CLI and the IVR agree):
// - Priority for one local date: emergency > dated closure > extra opening > public holiday > weekly.
//   An extra opening beats a public holiday: it is an explicit one-off supervisor decision.
// - An interval belongs to the local date it starts on. `to <= from` crosses midnight
//   (mon 22:00–02:00 is open Monday 22:00 to Tuesday 02:00, even if Tuesday is a holiday);
//   "24:00" as `to` is the end of the day. `from` is inclusive, `to` exclusive.
// - Wall times are turned into instants per date in the schedule's zone:
//   * a wall time skipped by a DST gap (02:30 on 2026-03-29 in Prague) means the first valid
//     instant after the gap (03:00 CEST); an interval lying wholly inside the gap is never open;
//   * a wall time that occurs twice (02:30 on 2026-10-25 in Prague) means its first occurrence,
//     for both `from` and `to`.
// - An emergency closure is in force while `at < until` (`since` is informational); the caller
//   passes the closure stored for this schedule. An unparseable `until` is ignored.
// - Searches (next opening, closing time) look at most 400 days ahead; beyond that: null.
import { IANAZone } from 'luxon';
import { holidayOn } from './holidays.js';
import type {
  ClosedReason,
  EmergencyClosure,
  Interval,
  OpenStatus,
  RelativeWhen,
  Schedule,
  ScheduleDay,
  Weekday,
  WeeklyGroup,
} from './types.js';
import { WEEKDAYS } from './types.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const HORIZON_DAYS = 400;

/** True for IANA zone names luxon/Intl accept (e.g. "Europe/Prague"). Never throws. */
export function isValidTimeZone(zone: string): boolean {
  try {
    return typeof zone === 'string' && zone.trim() !== '' && IANAZone.isValidZone(zone);
  } catch {
    return false;
  }
}

/** A zone with offsets memoised for one call: luxon asks Intl each time, which is slow. */
interface Zone {
  offset(ts: number): number;
}

function zoneOf(name: string): Zone {
  // The config schema rejects unknown zones, so reaching this is a programming error.
  if (!isValidTimeZone(name)) throw new RangeError(`unknown time zone "${name}"`);
  const zone = IANAZone.create(name);
  const memo = new Map<number, number>();
  return {
    offset(ts: number): number {
      let o = memo.get(ts);
      if (o === undefined) {
        o = zone.offset(ts);
        memo.set(ts, o);
      }
      return o;
    },
  };
}

// --- Local dates and wall times -------------------------------------------------------------
// A "wall" value is the local wall-clock time encoded as milliseconds as if it were UTC.

function wallOf(zone: Zone, ts: number): number {
  return ts + zone.offset(ts) * MINUTE_MS;
}

function localDate(zone: Zone, ts: number): string {
  return new Date(wallOf(zone, ts)).toISOString().slice(0, 10);
}

function dateWall(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

function addDays(date: string, days: number): string {
  return new Date(dateWall(date) + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((dateWall(to) - dateWall(from)) / DAY_MS);
}

function weekdayOf(date: string): Weekday {
  // getUTCDay: 0 = Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(dateWall(date)).getUTCDay() + 6) % 7] as Weekday;
}

/** Earliest instant showing `wall`; inside a DST gap, the first instant after the gap. */
function wallToInstant(zone: Zone, wall: number): number {
  const offsets = new Set([zone.offset(wall - DAY_MS), zone.offset(wall), zone.offset(wall + DAY_MS)]);
  let best = Number.POSITIVE_INFINITY;
  for (const o of offsets) {
    const t = wall - o * MINUTE_MS;
    if (zone.offset(t) === o && t < best) best = t;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // Gap: local time jumps over `wall` between the two candidates; find the jump.
  const candidates = [...offsets].map((o) => wall - o * MINUTE_MS);
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallOf(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** "HH:MM" → minutes after midnight; NaN when malformed (the schema prevents that). */
function minutesOf(time: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

function formatWall(wall: number, padHour: boolean): string {
  const d = new Date(wall);
  const h = String(d.getUTCHours());
  return `${padHour ? h.padStart(2, '0') : h}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

// --- Day plans ------------------------------------------------------------------------------

interface DayPlan {
  intervals: Interval[];
  closed?: ClosedReason;
}

interface Span {
  start: number;
  end: number;
}

function sortIntervals(intervals: readonly Interval[]): Interval[] {
  return [...intervals].sort((a, b) => minutesOf(a.from) - minutesOf(b.from));
}

/** The day's intervals after closures, extra openings and holidays (no emergency). */
function dayPlan(schedule: Schedule, date: string): DayPlan {
  for (const c of schedule.closures ?? []) {
    if (c.from <= date && date <= (c.to ?? c.from)) {
      return { intervals: [], closed: { kind: 'closure', reason: c.reason } };
    }
  }
  const opening = schedule.openings?.find((o) => o.date === date);
  if (opening) return { intervals: sortIntervals(opening.intervals) };
  if (schedule.holidays) {
    const name = holidayOn(schedule.holidays, date);
    if (name !== undefined) return { intervals: [], closed: { kind: 'holiday', name } };
  }
  return { intervals: sortIntervals(schedule.weekly[weekdayOf(date)] ?? []) };
}

function intervalSpan(zone: Zone, date: string, interval: Interval): Span {
  const from = minutesOf(interval.from);
  let to = minutesOf(interval.to);
  if (to <= from) to += 24 * 60;
  const base = dateWall(date);
  return {
    start: wallToInstant(zone, base + from * MINUTE_MS),
    end: wallToInstant(zone, base + to * MINUTE_MS),
  };
}

/** One schedule in its zone, with day spans memoised for the duration of one call. */
interface Calendar {
  zone: Zone;
  schedule: Schedule;
  spans(date: string): Span[];
}

function calendarOf(schedule: Schedule): Calendar {
  const zone = zoneOf(schedule.timezone);
  const memo = new Map<string, Span[]>();
  return {
    zone,
    schedule,
    // Absolute spans of intervals starting on `date`; empty ones (inside a DST gap) dropped.
    spans(date: string): Span[] {
      let spans = memo.get(date);
      if (!spans) {
        spans = dayPlan(schedule, date)
          .intervals.map((iv) => intervalSpan(zone, date, iv))
          .filter((sp) => sp.end > sp.start);
        memo.set(date, spans);
      }
      return spans;
    },
  };
}

function emergencyUntil(at: number, emergency: EmergencyClosure | undefined): number | null {
  if (!emergency) return null;
  const until = Date.parse(emergency.until);
  return at < until ? until : null;
}

/** First instant >= t when the schedule is open, ignoring emergencies. */
function nextOpenFrom(cal: Calendar, t: number): number | null {
  const d0 = localDate(cal.zone, t);
  // Spans of the previous day may cross midnight and still be running.
  for (const date of [addDays(d0, -1), d0]) {
    if (cal.spans(date).some((s) => s.start <= t && t < s.end)) return t;
  }
  // Spans of a later date start after all spans of an earlier date, so the first hit wins.
  for (let i = 0; i <= HORIZON_DAYS; i++) {
    const starts = cal
      .spans(addDays(d0, i))
      .map((s) => s.start)
      .filter((s) => s > t);
    if (starts.length > 0) return Math.min(...starts);
  }
  return null;
}

/** End of the open run containing t (touching/overlapping spans merged); null beyond the horizon. */
function closingFrom(cal: Calendar, t: number): number | null {
  let end = t;
  for (;;) {
    const d = localDate(cal.zone, end);
    let next = end;
    for (const date of [addDays(d, -1), d]) {
      for (const s of cal.spans(date)) {
        if (s.start <= end && s.end > next) next = s.end;
      }
    }
    if (next === end) return end;
    end = next;
    if (end - t > HORIZON_DAYS * DAY_MS) return null;
  }
}

// --- Public API -----------------------------------------------------------------------------

export function openStatus(schedule: Schedule, at: Date, emergency?: EmergencyClosure): OpenStatus {
  const cal = calendarOf(schedule);
  const t = at.getTime();
  const until = emergencyUntil(t, emergency);
  if (until !== null && emergency) {
    const next = nextOpenFrom(cal, until);
    return {
      open: false,
      reason: { kind: 'emergency', reason: emergency.reason, until: emergency.until },
      nextOpening: next === null ? null : new Date(next),
    };
  }
  const next = nextOpenFrom(cal, t);
  if (next === t) {
    const closes = closingFrom(cal, t);
    return { open: true, closesAt: closes === null ? null : new Date(closes) };
  }
  return {
    open: false,
    reason: dayPlan(schedule, localDate(cal.zone, t)).closed ?? { kind: 'outside-hours' },
    nextOpening: next === null ? null : new Date(next),
  };
}

/** First instant >= at when open (>= until while an emergency closure is in force); null if none within 400 days. */
export function nextOpening(schedule: Schedule, at: Date, emergency?: EmergencyClosure): Date | null {
  const t = at.getTime();
  const next = nextOpenFrom(calendarOf(schedule), emergencyUntil(t, emergency) ?? t);
  return next === null ? null : new Date(next);
}

/**
 * One entry per local date, starting with `from`'s local date.
 * An emergency closure in force at `from` is reported on every day that starts before `until`;
 * those days' intervals lose the part before `until` (an interval still running at `until` is
 * listed from `until`'s local time). When `until` falls on a later date than the interval's own
 * day (the tail of a midnight-crossing interval), that interval is left out of the listing.
 */
export function scheduleDays(schedule: Schedule, from: Date, days: number, emergency?: EmergencyClosure): ScheduleDay[] {
  const zone = zoneOf(schedule.timezone);
  const t = from.getTime();
  const until = emergencyUntil(t, emergency);
  const d0 = localDate(zone, t);
  const result: ScheduleDay[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(d0, i);
    const plan = dayPlan(schedule, date);
    const day: ScheduleDay = { date, weekday: weekdayOf(date), intervals: plan.intervals };
    if (plan.closed) day.closed = plan.closed;
    if (until !== null && emergency && wallToInstant(zone, dateWall(date)) < until) {
      day.closed = { kind: 'emergency', reason: emergency.reason, until: emergency.until };
      const untilDate = localDate(zone, until);
      day.intervals = plan.intervals.flatMap((iv) => {
        const span = intervalSpan(zone, date, iv);
        if (span.end <= until) return [];
        if (span.start >= until) return [iv];
        if (untilDate !== date) return [];
        return [{ from: formatWall(wallOf(zone, until), true), to: iv.to }];
      });
    }
    result.push(day);
  }
  return result;
}

/** Consecutive weekdays (mon..sun) with identical weekly intervals; closed days omitted. */
export function weeklySummary(schedule: Schedule): WeeklyGroup[] {
  const groups: WeeklyGroup[] = [];
  let last: { key: string; group: WeeklyGroup } | null = null;
  for (const day of WEEKDAYS) {
    const intervals = sortIntervals(schedule.weekly[day] ?? []);
    if (intervals.length === 0) {
      last = null; // a closed day breaks the run
      continue;
    }
    const key = intervals.map((iv) => `${iv.from}-${iv.to}`).join(',');
    if (last && last.key === key) {
      last.group.days.push(day);
    } else {
      last = { key, group: { days: [day], intervals } };
      groups.push(last.group);
    }
  }
  return groups;
}

/** Describes `target` relative to `now` by local calendar dates in `zone`; time as "H:MM". */
export function relativeWhen(now: Date, target: Date, zone: string): RelativeWhen {
  const z = zoneOf(zone);
  const today = localDate(z, now.getTime());
  const date = localDate(z, target.getTime());
  const time = formatWall(wallOf(z, target.getTime()), false);
  const diff = daysBetween(today, date);
  if (diff === 0) return { kind: 'today', time };
  if (diff === 1) return { kind: 'tomorrow', time };
  if (diff >= 2 && diff <= 6) return { kind: 'weekday', weekday: weekdayOf(date), time };
  return { kind: 'date', date, day: Number(date.slice(8, 10)), month: Number(date.slice(5, 7)), time };
}
