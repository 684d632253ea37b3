// Calls per hour (Prague hours) for the dashboard's chart, over the same calls as the report.
import { DateTime } from 'luxon';
import type { CallSummary } from './call-summary.js';

export const REPORT_ZONE = 'Europe/Prague';

export interface HourCount {
  /** Start of the Prague hour, ISO with offset (e.g. 2026-11-30T08:00:00.000+01:00). */
  hour: string;
  calls: number;
}

/** One entry per Prague hour from `from` to `to` (at most 31 days of hours), calls counted by start. */
export function callsPerHour(calls: readonly CallSummary[], from: string, to: string): HourCount[] {
  const start = DateTime.fromISO(from, { zone: REPORT_ZONE }).startOf('hour');
  const end = DateTime.fromISO(to, { zone: REPORT_ZONE });
  const counts = new Map<number, number>();
  for (const c of calls) {
    if (c.startedAt === undefined) continue;
    const hour = DateTime.fromISO(c.startedAt, { zone: REPORT_ZONE }).startOf('hour').toMillis();
    counts.set(hour, (counts.get(hour) ?? 0) + 1);
  }
  const out: HourCount[] = [];
  for (let h = start; h < end && out.length < 31 * 24; h = h.plus({ hours: 1 })) {
    out.push({ hour: h.toISO() ?? '', calls: counts.get(h.toMillis()) ?? 0 });
  }
  return out;
}
