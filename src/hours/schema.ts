// Schema for config/hours.yaml. Messages are read by call-centre supervisors next to a
// file:line and a path, so they name the bad value in plain words instead of zod jargon.
import { z } from 'zod';
import { isValidTimeZone } from './engine.js';
import { isKnownHolidayCalendar } from './holidays.js';
import type { Schedule } from './types.js';

/** Short human description of a value that has the wrong type. */
function describe(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a group of settings';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Error for a missing value or a value of the wrong type. */
function wrongType(expected: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined ? `missing: ${expected} is required` : `expected ${expected}, got ${describe(issue.input)}`;
}

/** Strict object whose unknown keys get a plain message listing what is allowed. */
function strictGroup<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => `"${k}"`).join(', ');
        return `unknown setting ${keys} (allowed here: ${allowed})`;
      }
      return wrongType(what)(issue);
    },
  });
}

const TIME = /^(\d{1,2}):(\d{2})$/;

function timeMinutes(value: string): number | null {
  const m = TIME.exec(value);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h === 24 && min === 0) return 24 * 60;
  return h <= 23 ? h * 60 + min : null;
}

/** "8:00" is accepted and normalised to "08:00" so listings stay aligned. */
function normaliseTime(value: string): string {
  const [h = '', m = ''] = value.split(':');
  return `${h.padStart(2, '0')}:${m}`;
}

const startTime = z
  .string({ error: wrongType('a time like "08:00" (in quotes)') })
  .refine((v) => timeMinutes(v) !== null, { error: (issue) => `${describe(issue.input)} is not a time (HH:MM)` })
  .refine((v) => timeMinutes(v) !== 24 * 60, { error: '"24:00" can only end an interval, not start it' })
  .transform(normaliseTime);

const endTime = z
  .string({ error: wrongType('a time like "16:00" (in quotes)') })
  .refine((v) => timeMinutes(v) !== null, { error: (issue) => `${describe(issue.input)} is not a time (HH:MM)` })
  .transform(normaliseTime);

export const intervalSchema = strictGroup({ from: startTime, to: endTime }, 'an interval like { from: "08:00", to: "16:00" }').refine(
  (iv) => iv.from !== iv.to,
  {
    error: (issue) => {
      const iv = issue.input as { from: string; to: string };
      return `"${iv.from}" to "${iv.to}" is ambiguous; for a whole day write from: "00:00", to: "24:00"`;
    },
    path: ['to'],
  },
);

const intervalList = z.array(intervalSchema, { error: wrongType('a list of intervals like [{ from: "08:00", to: "16:00" }]') });

/** Local date YYYY-MM-DD; YAML loaders that turn bare dates into Date objects are accepted too. */
const dateSchema = z.preprocess(
  (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v),
  z.string({ error: wrongType('a date like 2026-12-31') }).refine(
    (v) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      if (!m) return false;
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.toISOString().slice(0, 10) === v;
    },
    { error: (issue) => `${describe(issue.input)} is not a date (YYYY-MM-DD)` },
  ),
);

const reasonSchema = z
  .string({ error: wrongType('a reason (text)') })
  .trim()
  .min(1, { error: 'the reason must not be empty' });

export const closureSchema = strictGroup(
  { from: dateSchema, to: dateSchema.optional(), reason: reasonSchema },
  'a closure like { from: 2026-12-31, reason: inventura }',
).refine((c) => c.to === undefined || c.to >= c.from, {
  error: (issue) => {
    const c = issue.input as { from: string; to: string };
    return `the closure ends (${c.to}) before it starts (${c.from})`;
  },
  path: ['to'],
});

export const openingSchema = strictGroup(
  {
    date: dateSchema,
    intervals: intervalList.min(1, {
      error: 'an extra opening needs at least one interval (to close a day, use closures)',
    }),
    reason: reasonSchema.optional(),
  },
  'an extra opening like { date: 2026-12-19, intervals: [{ from: "09:00", to: "12:00" }] }',
);

const weeklySchema = z.strictObject(
  {
    mon: intervalList.optional(),
    tue: intervalList.optional(),
    wed: intervalList.optional(),
    thu: intervalList.optional(),
    fri: intervalList.optional(),
    sat: intervalList.optional(),
    sun: intervalList.optional(),
  },
  {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => `"${k}"`).join(', ');
        return `unknown day ${keys} (use mon, tue, wed, thu, fri, sat, sun)`;
      }
      return wrongType('the weekly hours by day (mon, tue, … sun)')(issue);
    },
  },
);

export const scheduleSchema = strictGroup(
  {
    timezone: z.string({ error: wrongType('a time zone like Europe/Prague') }).refine(isValidTimeZone, {
      error: (issue) => `${describe(issue.input)} is not a known time zone (IANA, e.g. Europe/Prague)`,
    }),
    holidays: z
      .string({ error: wrongType('a country code like CZ') })
      .refine(isKnownHolidayCalendar, {
        error: (issue) => `${describe(issue.input)} is not a country known to the holiday calendar`,
      })
      .optional(),
    weekly: weeklySchema,
    closures: z.array(closureSchema, { error: wrongType('a list of closures') }).optional(),
    openings: z.array(openingSchema, { error: wrongType('a list of extra openings') }).optional(),
    /** The name people read in the console ("Lázeňství"); the id stays the key. */
    name: z
      .string({ error: wrongType('a name like Lázeňství') })
      .min(1)
      .max(60)
      .optional(),
  },
  'a schedule (timezone, holidays, weekly, closures, openings, name)',
).superRefine((schedule, ctx) => {
  // Two entries for one date would silently drop one of them.
  const seen = new Set<string>();
  (schedule.openings ?? []).forEach((o, i) => {
    if (seen.has(o.date)) {
      ctx.addIssue({
        code: 'custom',
        path: ['openings', i, 'date'],
        message: `${o.date} already has an extra opening; put all its intervals into one entry`,
      });
    }
    seen.add(o.date);
  });
});

const scheduleId = z.string().regex(/^[a-z][a-z0-9_-]*$/);

export const hoursFileSchema = strictGroup(
  {
    schedules: z.record(scheduleId, scheduleSchema, {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `${describe(issue.input)} is not a valid schedule id (lower-case letters, digits, "-" and "_", starting with a letter)`
          : wrongType('the schedules by id, e.g. spa:')(issue),
    }),
  },
  'a file with a schedules: section',
);

export type HoursFile = z.infer<typeof hoursFileSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;

// Compile-time check: a parsed schedule is usable wherever the engine expects a Schedule.
const _assignable: (s: ScheduleConfig) => Schedule = (s) => s;
