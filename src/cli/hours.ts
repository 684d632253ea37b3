// `infoline hours`: one line per day per schedule — open intervals or why it is closed.
import type { ConfigBundle } from '../config/bundle.js';
import { scheduleDays } from '../hours/engine.js';
import { dayText } from '../hours/day-text.js';
import type { EmergencyClosure, Schedule } from '../hours/types.js';
import { loadCompiled, withStores } from './config.js';
import { UsageError, type CliIo } from './io.js';
import { parseInstant } from './time.js';

export interface HoursOptions {
  from?: string | undefined;
  days?: string | undefined;
}

const WEEKDAY_NAMES = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' } as const;

export function parseDays(value: string | undefined): number {
  if (value === undefined) return 14;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 400) throw new UsageError(`--days "${value}" must be a whole number from 1 to 400`);
  return n;
}

export function hoursLines(bundle: ConfigBundle, from: number, days: number, closures: readonly EmergencyClosure[]): string[] {
  const ids = Object.keys(bundle.hours.schedules);
  const width = Math.max(...ids.map((id) => id.length));
  const lines: string[] = [];
  for (const id of ids) {
    const schedule = bundle.hours.schedules[id] as Schedule;
    const emergency = closures.find((c) => c.schedule === id);
    for (const day of scheduleDays(schedule, new Date(from), days, emergency)) {
      lines.push(`${id.padEnd(width)}  ${day.date}  ${WEEKDAY_NAMES[day.weekday]}  ${dayText(day)}`);
    }
  }
  return lines;
}

export async function runHours(io: CliIo, opts: HoursOptions): Promise<number> {
  const from = opts.from !== undefined ? parseInstant(opts.from, '--from') : io.now();
  const days = parseDays(opts.days);
  const config = loadCompiled(io);
  const closures = await withStores(io, (stores) => stores.switches.closures());
  for (const line of hoursLines(config.bundle, from, days, closures)) io.out(`${line}\n`);
  return 0;
}
