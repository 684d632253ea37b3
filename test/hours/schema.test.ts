import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { hoursFileSchema, scheduleSchema } from '../../src/hours/schema.js';
import { openStatus, weeklySummary } from '../../src/hours/engine.js';
import type { Schedule } from '../../src/hours/types.js';

const validSpa = () => ({
  timezone: 'Europe/Prague',
  holidays: 'CZ',
  weekly: {
    mon: [{ from: '08:00', to: '16:00' }],
    fri: [{ from: '08:00', to: '14:00' }],
  },
  closures: [] as unknown[],
  openings: [] as unknown[],
});

/** Parses a file with one schedule "spa" and returns its issues as { path, message }. */
function issues(spa: unknown): { path: (string | number)[]; message: string }[] {
  const result = hoursFileSchema.safeParse({ schedules: { spa } });
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message }));
}

describe('config/hours.yaml', () => {
  const file = hoursFileSchema.parse(parse(readFileSync(new URL('../../config/hours.yaml', import.meta.url), 'utf8')));

  it('parses and has the spa and callbacks schedules', () => {
    expect(Object.keys(file.schedules)).toEqual(['spa', 'callbacks']);
  });

  it('spa: mon–thu 08:00–16:00, fri 08:00–14:00, Czech holidays, Prague time', () => {
    const spa = file.schedules.spa as Schedule;
    expect(spa.timezone).toBe('Europe/Prague');
    expect(spa.holidays).toBe('CZ');
    expect(weeklySummary(spa)).toEqual([
      { days: ['mon', 'tue', 'wed', 'thu'], intervals: [{ from: '08:00', to: '16:00' }] },
      { days: ['fri'], intervals: [{ from: '08:00', to: '14:00' }] },
    ]);
    expect(openStatus(spa, new Date('2026-12-24T10:00:00+01:00'))).toMatchObject({
      open: false,
      reason: { kind: 'holiday', name: 'Štědrý den' },
    });
  });

  it('the commented examples are valid once uncommented', () => {
    const uncommented = parse(`
timezone: Europe/Prague
weekly:
  mon: [{ from: "08:00", to: "12:00" }, { from: "13:00", to: "16:00" }]
closures:
  - { from: 2026-12-31, reason: inventura }
  - { from: 2027-07-19, to: 2027-07-23, reason: školení týmu }
openings:
  - { date: 2026-12-19, intervals: [{ from: "09:00", to: "12:00" }], reason: roční zúčtování }
`);
    expect(scheduleSchema.safeParse(uncommented).success).toBe(true);
  });
});

describe('hoursFileSchema: valid input', () => {
  it('accepts a full schedule and keeps values', () => {
    const spa = {
      ...validSpa(),
      weekly: { mon: [{ from: '22:00', to: '02:00' }], sat: [{ from: '20:00', to: '24:00' }] },
      closures: [
        { from: '2026-12-31', reason: 'inventura' },
        { from: '2026-07-13', to: '2026-07-15', reason: 'školení' },
      ],
      openings: [{ date: '2026-03-07', intervals: [{ from: '09:00', to: '12:00' }], reason: 'sobota' }],
    };
    const result = hoursFileSchema.safeParse({ schedules: { spa, 'night_2-b': { timezone: 'UTC', weekly: {} } } });
    expect(result.success).toBe(true);
    expect(result.data?.schedules.spa).toEqual(spa);
  });

  it('normalises "8:00" to "08:00"', () => {
    const parsed = scheduleSchema.parse({ timezone: 'Europe/Prague', weekly: { mon: [{ from: '8:00', to: '9:30' }] } });
    expect(parsed.weekly.mon).toEqual([{ from: '08:00', to: '09:30' }]);
  });

  it('accepts a state calendar (DE-BY) and bare YAML dates turned into Date objects', () => {
    const parsed = scheduleSchema.parse({
      timezone: 'Europe/Berlin',
      holidays: 'DE-BY',
      weekly: {},
      closures: [{ from: new Date(Date.UTC(2026, 11, 31)), reason: 'inventura' }],
    });
    expect(parsed.closures).toEqual([{ from: '2026-12-31', reason: 'inventura' }]);
  });
});

describe('hoursFileSchema: supervisor-readable errors', () => {
  it('bad time', () => {
    const spa = validSpa();
    spa.weekly.fri = [{ from: '08:00', to: '14:60' }];
    expect(issues(spa)).toEqual([{ path: ['schedules', 'spa', 'weekly', 'fri', 0, 'to'], message: '"14:60" is not a time (HH:MM)' }]);
  });

  it('other bad times', () => {
    for (const bad of ['25:00', '8', '08.00', '', '24:01']) {
      const spa = validSpa();
      spa.weekly.mon = [{ from: bad, to: '16:00' }];
      expect(issues(spa)).toEqual([{ path: ['schedules', 'spa', 'weekly', 'mon', 0, 'from'], message: `"${bad}" is not a time (HH:MM)` }]);
    }
  });

  it('"24:00" only as an end', () => {
    const spa = validSpa();
    spa.weekly.mon = [{ from: '24:00', to: '16:00' }];
    expect(issues(spa)).toEqual([
      { path: ['schedules', 'spa', 'weekly', 'mon', 0, 'from'], message: '"24:00" can only end an interval, not start it' },
    ]);
  });

  it('a time that is not a string (unquoted number)', () => {
    expect(issues({ ...validSpa(), weekly: { mon: [{ from: 800, to: '16:00' }] } })).toEqual([
      {
        path: ['schedules', 'spa', 'weekly', 'mon', 0, 'from'],
        message: 'expected a time like "08:00" (in quotes), got 800',
      },
    ]);
  });

  it('an empty interval (from = to)', () => {
    const spa = validSpa();
    spa.weekly.mon = [{ from: '08:00', to: '08:00' }];
    expect(issues(spa)).toEqual([
      {
        path: ['schedules', 'spa', 'weekly', 'mon', 0, 'to'],
        message: '"08:00" to "08:00" is ambiguous; for a whole day write from: "00:00", to: "24:00"',
      },
    ]);
  });

  it('bad time zone', () => {
    expect(issues({ ...validSpa(), timezone: 'Europe/Prag' })).toEqual([
      { path: ['schedules', 'spa', 'timezone'], message: '"Europe/Prag" is not a known time zone (IANA, e.g. Europe/Prague)' },
    ]);
  });

  it('missing time zone', () => {
    const { timezone: _tz, ...spa } = validSpa();
    expect(issues(spa)).toEqual([
      { path: ['schedules', 'spa', 'timezone'], message: 'missing: a time zone like Europe/Prague is required' },
    ]);
  });

  it('bad holiday country', () => {
    expect(issues({ ...validSpa(), holidays: 'XX' })).toEqual([
      { path: ['schedules', 'spa', 'holidays'], message: '"XX" is not a country known to the holiday calendar' },
    ]);
    expect(issues({ ...validSpa(), holidays: 'DE-XX' })).toEqual([
      { path: ['schedules', 'spa', 'holidays'], message: '"DE-XX" is not a country known to the holiday calendar' },
    ]);
  });

  it('unknown key in a schedule', () => {
    expect(issues({ ...validSpa(), hollidays: 'CZ' })).toEqual([
      {
        path: ['schedules', 'spa'],
        message: 'unknown setting "hollidays" (allowed here: timezone, holidays, weekly, closures, openings, name)',
      },
    ]);
  });

  it('unknown weekday', () => {
    expect(issues({ ...validSpa(), weekly: { monday: [{ from: '08:00', to: '16:00' }] } })).toEqual([
      { path: ['schedules', 'spa', 'weekly'], message: 'unknown day "monday" (use mon, tue, wed, thu, fri, sat, sun)' },
    ]);
  });

  it('unknown key in an interval', () => {
    expect(issues({ ...validSpa(), weekly: { mon: [{ from: '08:00', to: '16:00', until: '17:00' }] } })).toEqual([
      { path: ['schedules', 'spa', 'weekly', 'mon', 0], message: 'unknown setting "until" (allowed here: from, to)' },
    ]);
  });

  it('unknown top-level key', () => {
    const result = hoursFileSchema.safeParse({ schedules: {}, schedule: {} });
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([[[], 'unknown setting "schedule" (allowed here: schedules)']]);
  });

  it('bad date', () => {
    expect(issues({ ...validSpa(), closures: [{ from: '2026-02-30', reason: 'x' }] })).toEqual([
      { path: ['schedules', 'spa', 'closures', 0, 'from'], message: '"2026-02-30" is not a date (YYYY-MM-DD)' },
    ]);
    expect(issues({ ...validSpa(), openings: [{ date: '31.12.2026', intervals: [{ from: '09:00', to: '12:00' }] }] })).toEqual([
      { path: ['schedules', 'spa', 'openings', 0, 'date'], message: '"31.12.2026" is not a date (YYYY-MM-DD)' },
    ]);
  });

  it('closure ending before it starts', () => {
    expect(issues({ ...validSpa(), closures: [{ from: '2026-12-31', to: '2026-12-30', reason: 'x' }] })).toEqual([
      {
        path: ['schedules', 'spa', 'closures', 0, 'to'],
        message: 'the closure ends (2026-12-30) before it starts (2026-12-31)',
      },
    ]);
  });

  it('closure without a reason', () => {
    expect(issues({ ...validSpa(), closures: [{ from: '2026-12-31', reason: '  ' }] })).toEqual([
      { path: ['schedules', 'spa', 'closures', 0, 'reason'], message: 'the reason must not be empty' },
    ]);
    expect(issues({ ...validSpa(), closures: [{ from: '2026-12-31' }] })).toEqual([
      { path: ['schedules', 'spa', 'closures', 0, 'reason'], message: 'missing: a reason (text) is required' },
    ]);
  });

  it('extra opening without intervals', () => {
    expect(issues({ ...validSpa(), openings: [{ date: '2026-03-07', intervals: [] }] })).toEqual([
      {
        path: ['schedules', 'spa', 'openings', 0, 'intervals'],
        message: 'an extra opening needs at least one interval (to close a day, use closures)',
      },
    ]);
  });

  it('two extra openings on one date', () => {
    const opening = { date: '2026-03-07', intervals: [{ from: '09:00', to: '12:00' }] };
    expect(issues({ ...validSpa(), openings: [opening, opening] })).toEqual([
      {
        path: ['schedules', 'spa', 'openings', 1, 'date'],
        message: '2026-03-07 already has an extra opening; put all its intervals into one entry',
      },
    ]);
  });

  it('bad schedule id', () => {
    const result = hoursFileSchema.safeParse({ schedules: { Spa: validSpa() } });
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['schedules', 'Spa'], '"Spa" is not a valid schedule id (lower-case letters, digits, "-" and "_", starting with a letter)'],
    ]);
  });

  it('wrong shapes are described in plain words', () => {
    expect(issues({ ...validSpa(), weekly: { mon: { from: '08:00', to: '16:00' } } })).toEqual([
      {
        path: ['schedules', 'spa', 'weekly', 'mon'],
        message: 'expected a list of intervals like [{ from: "08:00", to: "16:00" }], got a group of settings',
      },
    ]);
  });
});
