// Times typed by a supervisor (CLI options, console fields): ISO instants (with Z or an offset),
// local times without a zone (read in Europe/Prague, the line's zone) and durations (2h, 30m,
// 1d, 1h30m, PT2H). Pure: "now" is a parameter.
import { DateTime, Duration } from 'luxon';

/** A time or duration that cannot be read; the message names the option or field. */
export class TimeInputError extends Error {}

/** Zone-less times typed by a supervisor are read in this zone (the infoline's). */
export const LINE_ZONE = 'Europe/Prague';

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/** Parses an ISO date/time; without Z or an offset it is local time in Europe/Prague. */
export function parseInstant(value: string, option: string): number {
  const text = value.trim();
  if (!ISO_LIKE.test(text)) {
    throw new TimeInputError(
      `${option} "${value}" is not a date/time (use e.g. 2026-12-24T10:00 for Prague time, or 2026-12-24T09:00:00Z)`,
    );
  }
  const dt = DateTime.fromISO(text.replace(' ', 'T'), { zone: LINE_ZONE, setZone: false });
  if (!dt.isValid)
    throw new TimeInputError(`${option} "${value}" is not a valid date/time (${dt.invalidExplanation ?? dt.invalidReason ?? 'invalid'})`);
  return dt.toMillis();
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Milliseconds of "2h", "30m", "1d", "1h30m", "90s", "2w" or an ISO 8601 duration ("PT2H", "P1D"); undefined if it is none of these. */
export function parseDuration(value: string): number | undefined {
  const text = value.trim();
  if (/^P/i.test(text)) {
    const d = Duration.fromISO(text.toUpperCase());
    return d.isValid ? d.toMillis() : undefined;
  }
  const re = /(\d+(?:\.\d+)?)\s*([smhdw])/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.toLowerCase().matchAll(re)) {
    total += Number(m[1]) * (UNITS[m[2] as string] ?? 0);
    matched += m[0].length;
  }
  return matched > 0 && matched === text.length ? total : undefined;
}

/** `--until`: an ISO time or a duration from now. */
export function parseUntil(value: string, now: number): number {
  const ms = parseDuration(value);
  if (ms !== undefined) {
    if (ms <= 0) throw new TimeInputError(`--until "${value}" must be longer than zero`);
    return now + ms;
  }
  if (ISO_LIKE.test(value.trim())) return parseInstant(value, '--until');
  throw new TimeInputError(
    `--until "${value}" is neither a time (2026-12-24T12:00, 2026-12-24T11:00:00Z) nor a duration (2h, 30m, 1d, PT2H)`,
  );
}

/** "2026-12-24 10:00 (Europe/Prague)" for messages. */
export function localText(ms: number, zone = LINE_ZONE): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
}
