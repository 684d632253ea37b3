import { describe, it, expect } from 'vitest';
import { isValidTimeZone, nextOpening, openStatus, relativeWhen, scheduleDays, weeklySummary } from '../../src/hours/engine.js';
import type { EmergencyClosure, Interval, Schedule, Weekday } from '../../src/hours/types.js';

// Instants are written with explicit offsets so expectations do not depend on the engine's
// own zone arithmetic. Prague: +01:00 in winter, +02:00 from 2026-03-29 to 2026-10-25.
const at = (iso: string): Date => new Date(iso);

const iv = (from: string, to: string): Interval => ({ from, to });

const spa: Schedule = {
  timezone: 'Europe/Prague',
  holidays: 'CZ',
  weekly: {
    mon: [iv('08:00', '16:00')],
    tue: [iv('08:00', '16:00')],
    wed: [iv('08:00', '16:00')],
    thu: [iv('08:00', '16:00')],
    fri: [iv('08:00', '14:00')],
  },
  closures: [],
  openings: [],
};

const everyDay = (intervals: Interval[]): Schedule['weekly'] => {
  const weekly: Partial<Record<Weekday, Interval[]>> = {};
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const) weekly[d] = intervals;
  return weekly;
};

const prague = (weekly: Schedule['weekly'], extra: Partial<Schedule> = {}): Schedule => ({
  timezone: 'Europe/Prague',
  weekly,
  ...extra,
});

const emergency = (until: string, reason = 'výpadek telefonů'): EmergencyClosure => ({
  schedule: 'spa',
  until,
  reason,
  since: '2026-03-01T00:00:00Z',
});

describe('openStatus: spa weekly hours', () => {
  it('is open Monday at 08:00 (inclusive) until 16:00', () => {
    expect(openStatus(spa, at('2026-03-02T08:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-03-02T16:00:00+01:00'),
    });
  });

  it('is closed one millisecond before 08:00, opening at 08:00', () => {
    expect(openStatus(spa, at('2026-03-02T07:59:59.999+01:00'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: at('2026-03-02T08:00:00+01:00'),
    });
  });

  it('is closed Monday at 16:00 (exclusive), next opening Tuesday 08:00', () => {
    expect(openStatus(spa, at('2026-03-02T15:59:59.999+01:00')).open).toBe(true);
    expect(openStatus(spa, at('2026-03-02T16:00:00+01:00'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: at('2026-03-03T08:00:00+01:00'),
    });
  });

  it('closes Friday at 14:00', () => {
    expect(openStatus(spa, at('2026-03-06T13:59:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-03-06T14:00:00+01:00'),
    });
    expect(openStatus(spa, at('2026-03-06T14:00:00+01:00')).open).toBe(false);
  });

  it('Friday 15:00 → next opening Monday 08:00 Prague', () => {
    expect(openStatus(spa, at('2026-03-06T15:00:00+01:00'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: at('2026-03-09T08:00:00+01:00'),
    });
    expect(nextOpening(spa, at('2026-03-06T15:00:00+01:00'))).toEqual(at('2026-03-09T07:00:00Z'));
  });

  it('is closed all weekend', () => {
    for (const iso of ['2026-03-07T00:00:00+01:00', '2026-03-07T10:00:00+01:00', '2026-03-08T23:59:59+01:00']) {
      expect(openStatus(spa, at(iso))).toEqual({
        open: false,
        reason: { kind: 'outside-hours' },
        nextOpening: at('2026-03-09T08:00:00+01:00'),
      });
    }
  });

  it('nextOpening returns `at` itself while open', () => {
    expect(nextOpening(spa, at('2026-03-04T11:11:00+01:00'))).toEqual(at('2026-03-04T11:11:00+01:00'));
  });

  it('uses the local date, not the UTC date (23:30Z Sunday is already Monday 00:30 in Prague)', () => {
    expect(openStatus(spa, at('2026-03-01T23:30:00Z'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: at('2026-03-02T08:00:00+01:00'),
    });
  });

  it('does not close on observances (Zelený čtvrtek)', () => {
    expect(openStatus(spa, at('2026-04-02T10:00:00+02:00')).open).toBe(true);
  });
});

describe('openStatus: Czech public holidays 2026 and 2027', () => {
  // [holiday date, Czech name, next opening of the spa line in local time]
  const cases: [string, string, string][] = [
    ['2026-01-01', 'Nový rok a Den obnovy samostatného českého státu', '2026-01-02T08:00:00+01:00'],
    ['2026-04-03', 'Velký pátek', '2026-04-07T08:00:00+02:00'],
    ['2026-04-06', 'Velikonoční pondělí', '2026-04-07T08:00:00+02:00'],
    ['2026-05-01', 'Svátek práce', '2026-05-04T08:00:00+02:00'],
    ['2026-05-08', 'Den vítězství', '2026-05-11T08:00:00+02:00'],
    ['2026-07-05', 'Den slovanských věrozvěstů Cyrila a Metoděje', '2026-07-07T08:00:00+02:00'],
    ['2026-07-06', 'Den upálení mistra Jana Husa', '2026-07-07T08:00:00+02:00'],
    ['2026-09-28', 'Den české státnosti', '2026-09-29T08:00:00+02:00'],
    ['2026-10-28', 'Den vzniku samostatného československého státu', '2026-10-29T08:00:00+01:00'],
    ['2026-11-17', 'Den boje za svobodu a demokracii', '2026-11-18T08:00:00+01:00'],
    ['2026-12-24', 'Štědrý den', '2026-12-28T08:00:00+01:00'],
    ['2026-12-25', '1. svátek vánoční', '2026-12-28T08:00:00+01:00'],
    ['2026-12-26', '2. svátek vánoční', '2026-12-28T08:00:00+01:00'],
    ['2027-01-01', 'Nový rok a Den obnovy samostatného českého státu', '2027-01-04T08:00:00+01:00'],
    ['2027-03-26', 'Velký pátek', '2027-03-30T08:00:00+02:00'],
    ['2027-03-29', 'Velikonoční pondělí', '2027-03-30T08:00:00+02:00'],
    ['2027-05-01', 'Svátek práce', '2027-05-03T08:00:00+02:00'],
    ['2027-05-08', 'Den vítězství', '2027-05-10T08:00:00+02:00'],
    ['2027-07-05', 'Den slovanských věrozvěstů Cyrila a Metoděje', '2027-07-07T08:00:00+02:00'],
    ['2027-07-06', 'Den upálení mistra Jana Husa', '2027-07-07T08:00:00+02:00'],
    ['2027-09-28', 'Den české státnosti', '2027-09-29T08:00:00+02:00'],
    ['2027-10-28', 'Den vzniku samostatného československého státu', '2027-10-29T08:00:00+02:00'],
    ['2027-11-17', 'Den boje za svobodu a demokracii', '2027-11-18T08:00:00+01:00'],
    ['2027-12-24', 'Štědrý den', '2027-12-27T08:00:00+01:00'],
    ['2027-12-25', '1. svátek vánoční', '2027-12-27T08:00:00+01:00'],
    ['2027-12-26', '2. svátek vánoční', '2027-12-27T08:00:00+01:00'],
  ];

  it.each(cases)('%s (%s) is closed; next opening %s', (date, name, next) => {
    // 10:00Z is 11:00 or 12:00 in Prague: mid-morning on the holiday either way.
    const noon = at(`${date}T10:00:00Z`);
    expect(openStatus(spa, noon)).toEqual({
      open: false,
      reason: { kind: 'holiday', name },
      nextOpening: at(next),
    });
    expect(nextOpening(spa, noon)).toEqual(at(next));
  });

  it('New Year: closed from local midnight, even though it is still 31 Dec in UTC', () => {
    expect(openStatus(spa, at('2026-12-31T23:30:00Z'))).toMatchObject({
      open: false,
      reason: { kind: 'holiday', name: 'Nový rok a Den obnovy samostatného českého státu' },
    });
  });

  it('a schedule without `holidays` ignores public holidays', () => {
    const noHolidays: Schedule = { ...spa, holidays: undefined };
    expect(openStatus(noHolidays, at('2026-12-24T10:00:00+01:00')).open).toBe(true);
  });
});

describe('DST in Europe/Prague', () => {
  it('spa opens Monday 2026-03-30 at 08:00 CEST = 06:00Z', () => {
    expect(openStatus(spa, at('2026-03-30T05:59:59Z'))).toMatchObject({
      open: false,
      nextOpening: at('2026-03-30T06:00:00Z'),
    });
    expect(openStatus(spa, at('2026-03-30T06:00:00Z'))).toEqual({ open: true, closesAt: at('2026-03-30T14:00:00Z') });
  });

  it('spa opens Monday 2026-10-26 at 08:00 CET = 07:00Z', () => {
    expect(openStatus(spa, at('2026-10-26T06:30:00Z'))).toMatchObject({
      open: false,
      nextOpening: at('2026-10-26T07:00:00Z'),
    });
    expect(openStatus(spa, at('2026-10-26T07:00:00Z'))).toEqual({ open: true, closesAt: at('2026-10-26T15:00:00Z') });
  });

  it('Friday before the spring switch → Monday 08:00 in summer time', () => {
    expect(nextOpening(spa, at('2026-03-27T15:00:00+01:00'))).toEqual(at('2026-03-30T06:00:00Z'));
  });

  it('Friday before the autumn switch → Monday 08:00 in winter time', () => {
    expect(nextOpening(spa, at('2026-10-23T15:00:00+02:00'))).toEqual(at('2026-10-26T07:00:00Z'));
  });

  describe('01:00–04:00 every day', () => {
    const night = prague(everyDay([iv('01:00', '04:00')]));

    it('spring: 01:00 CET (00:00Z) to 04:00 CEST (02:00Z), only 2 real hours', () => {
      expect(openStatus(night, at('2026-03-28T23:59:59Z'))).toMatchObject({
        open: false,
        nextOpening: at('2026-03-29T00:00:00Z'),
      });
      for (const iso of ['2026-03-29T00:00:00Z', '2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z', '2026-03-29T01:59:59Z']) {
        expect(openStatus(night, at(iso))).toEqual({ open: true, closesAt: at('2026-03-29T02:00:00Z') });
      }
      expect(openStatus(night, at('2026-03-29T02:00:00Z'))).toEqual({
        open: false,
        reason: { kind: 'outside-hours' },
        nextOpening: at('2026-03-30T01:00:00+02:00'),
      });
    });

    it('autumn: 01:00 CEST (23:00Z) to 04:00 CET (03:00Z), 4 real hours incl. the repeated hour', () => {
      expect(nextOpening(night, at('2026-10-24T22:00:00Z'))).toEqual(at('2026-10-24T23:00:00Z'));
      // 02:30 CEST (first pass) and 02:30 CET (second pass) are both open.
      for (const iso of ['2026-10-24T23:00:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-10-25T02:59:59Z']) {
        expect(openStatus(night, at(iso))).toEqual({ open: true, closesAt: at('2026-10-25T03:00:00Z') });
      }
      expect(openStatus(night, at('2026-10-25T03:00:00Z'))).toMatchObject({
        open: false,
        nextOpening: at('2026-10-26T01:00:00+01:00'),
      });
    });
  });

  it('an interval starting in the spring gap starts at the first valid instant (03:00 CEST)', () => {
    const s = prague({ sun: [iv('02:30', '05:00')] });
    expect(nextOpening(s, at('2026-03-29T00:00:00Z'))).toEqual(at('2026-03-29T03:00:00+02:00'));
    expect(openStatus(s, at('2026-03-29T00:59:59Z')).open).toBe(false);
    expect(openStatus(s, at('2026-03-29T01:00:00Z'))).toEqual({ open: true, closesAt: at('2026-03-29T05:00:00+02:00') });
  });

  it('an interval lying wholly in the spring gap is never open that day', () => {
    const s = prague({ sun: [iv('02:00', '02:30')] });
    expect(nextOpening(s, at('2026-03-28T12:00:00Z'))).toEqual(at('2026-04-05T02:00:00+02:00'));
  });

  it('a repeated autumn wall time means its first occurrence', () => {
    const s = prague({ sun: [iv('02:30', '04:00')] });
    expect(nextOpening(s, at('2026-10-25T00:00:00Z'))).toEqual(at('2026-10-25T02:30:00+02:00'));
    expect(openStatus(s, at('2026-10-25T00:30:00Z'))).toEqual({ open: true, closesAt: at('2026-10-25T04:00:00+01:00') });
  });

  it('a 24/7 schedule stays open across both switches and never closes', () => {
    const always = prague(everyDay([iv('00:00', '24:00')]));
    for (const iso of ['2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']) {
      expect(openStatus(always, at(iso))).toEqual({ open: true, closesAt: null });
    }
  });

  it('closesAt merges whole days across the spring switch', () => {
    const weekend = prague({ sat: [iv('00:00', '24:00')], sun: [iv('00:00', '24:00')] });
    expect(openStatus(weekend, at('2026-03-28T12:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-03-30T00:00:00+02:00'),
    });
  });
});

describe('intervals', () => {
  it('split shift: closed 12:30, next opening 13:00; open 11:00 closes 12:00', () => {
    const s = prague({ mon: [iv('13:00', '16:00'), iv('08:00', '12:00')] });
    expect(openStatus(s, at('2026-03-02T12:30:00+01:00'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: at('2026-03-02T13:00:00+01:00'),
    });
    expect(openStatus(s, at('2026-03-02T11:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-03-02T12:00:00+01:00'),
    });
  });

  it('touching intervals are merged for closesAt', () => {
    const s = prague({ mon: [iv('08:00', '12:00'), iv('12:00', '16:00')] });
    expect(openStatus(s, at('2026-03-02T09:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-03-02T16:00:00+01:00'),
    });
  });

  it('"24:00" followed by "00:00" next day merges across midnight', () => {
    const s = prague({ mon: [iv('20:00', '24:00')], tue: [iv('00:00', '06:00')] });
    expect(openStatus(s, at('2026-03-02T21:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-03-03T06:00:00+01:00'),
    });
  });

  describe('midnight-crossing Monday 22:00–02:00', () => {
    const s = prague({ mon: [iv('22:00', '02:00')] });

    it('is open Monday 23:00 until Tuesday 02:00', () => {
      expect(openStatus(s, at('2026-03-02T23:00:00+01:00'))).toEqual({
        open: true,
        closesAt: at('2026-03-03T02:00:00+01:00'),
      });
      expect(openStatus(s, at('2026-03-03T01:59:59+01:00')).open).toBe(true);
    });

    it('is closed Tuesday 02:00, next Monday 22:00', () => {
      expect(openStatus(s, at('2026-03-03T02:00:00+01:00'))).toEqual({
        open: false,
        reason: { kind: 'outside-hours' },
        nextOpening: at('2026-03-09T22:00:00+01:00'),
      });
    });

    it('does not open on Monday early morning (the interval belongs to the day it starts)', () => {
      expect(openStatus(s, at('2026-03-02T01:00:00+01:00')).open).toBe(false);
    });
  });

  it('a midnight-crossing interval runs into a public holiday', () => {
    const s = prague({ wed: [iv('22:00', '02:00')] }, { holidays: 'CZ' });
    expect(openStatus(s, at('2026-12-24T01:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-12-24T02:00:00+01:00'),
    });
    expect(openStatus(s, at('2026-12-24T02:00:00+01:00'))).toMatchObject({
      open: false,
      reason: { kind: 'holiday', name: 'Štědrý den' },
    });
  });

  it('returns null when a schedule never opens', () => {
    const never = prague({});
    expect(nextOpening(never, at('2026-03-02T10:00:00+01:00'))).toBeNull();
    expect(openStatus(never, at('2026-03-02T10:00:00+01:00'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: null,
    });
  });
});

describe('dated closures and extra openings', () => {
  it('a one-day closure closes with its reason', () => {
    const s: Schedule = { ...spa, closures: [{ from: '2026-12-31', reason: 'inventura' }] };
    expect(openStatus(s, at('2026-12-31T10:00:00+01:00'))).toEqual({
      open: false,
      reason: { kind: 'closure', reason: 'inventura' },
      // 1 January is a holiday, 2–3 January a weekend.
      nextOpening: at('2027-01-04T08:00:00+01:00'),
    });
    expect(openStatus(s, at('2026-12-30T10:00:00+01:00')).open).toBe(true);
  });

  it('a closure range is inclusive of both ends', () => {
    const s: Schedule = { ...spa, closures: [{ from: '2026-07-13', to: '2026-07-15', reason: 'školení' }] };
    expect(openStatus(s, at('2026-07-10T10:00:00+02:00')).open).toBe(true);
    expect(openStatus(s, at('2026-07-13T08:00:00+02:00'))).toMatchObject({ open: false, reason: { kind: 'closure' } });
    expect(openStatus(s, at('2026-07-15T15:00:00+02:00'))).toEqual({
      open: false,
      reason: { kind: 'closure', reason: 'školení' },
      nextOpening: at('2026-07-16T08:00:00+02:00'),
    });
  });

  it('a closure beats a holiday and an extra opening on the same date', () => {
    const s: Schedule = {
      ...spa,
      closures: [{ from: '2026-12-24', reason: 'zavřeno' }],
      openings: [{ date: '2026-12-24', intervals: [iv('09:00', '12:00')] }],
    };
    expect(openStatus(s, at('2026-12-24T10:00:00+01:00'))).toMatchObject({
      open: false,
      reason: { kind: 'closure', reason: 'zavřeno' },
    });
  });

  it('an extra Saturday opening', () => {
    const s: Schedule = {
      ...spa,
      openings: [{ date: '2026-03-07', intervals: [iv('09:00', '12:00')], reason: 'roční zúčtování' }],
    };
    expect(nextOpening(s, at('2026-03-06T15:00:00+01:00'))).toEqual(at('2026-03-07T09:00:00+01:00'));
    expect(openStatus(s, at('2026-03-07T10:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-03-07T12:00:00+01:00'),
    });
    expect(openStatus(s, at('2026-03-07T12:00:00+01:00'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: at('2026-03-09T08:00:00+01:00'),
    });
  });

  it("an extra opening replaces a weekday's weekly hours", () => {
    const s: Schedule = { ...spa, openings: [{ date: '2026-03-09', intervals: [iv('10:00', '12:00')] }] };
    expect(openStatus(s, at('2026-03-09T08:30:00+01:00'))).toMatchObject({
      open: false,
      nextOpening: at('2026-03-09T10:00:00+01:00'),
    });
    expect(openStatus(s, at('2026-03-09T13:00:00+01:00'))).toMatchObject({
      open: false,
      nextOpening: at('2026-03-10T08:00:00+01:00'),
    });
  });

  it('an extra opening beats a public holiday', () => {
    const s: Schedule = { ...spa, openings: [{ date: '2026-12-24', intervals: [iv('09:00', '12:00')] }] };
    expect(openStatus(s, at('2026-12-24T08:00:00+01:00'))).toEqual({
      open: false,
      reason: { kind: 'outside-hours' },
      nextOpening: at('2026-12-24T09:00:00+01:00'),
    });
    expect(openStatus(s, at('2026-12-24T11:00:00+01:00'))).toEqual({
      open: true,
      closesAt: at('2026-12-24T12:00:00+01:00'),
    });
    expect(nextOpening(s, at('2026-12-24T12:00:00+01:00'))).toEqual(at('2026-12-28T08:00:00+01:00'));
  });
});

describe('emergency closures', () => {
  const monday10 = at('2026-03-02T10:00:00+01:00');

  it('in force: closed with reason and until; next opening at until when within hours', () => {
    const e = emergency('2026-03-02T11:30:00Z');
    expect(openStatus(spa, monday10, e)).toEqual({
      open: false,
      reason: { kind: 'emergency', reason: 'výpadek telefonů', until: '2026-03-02T11:30:00Z' },
      nextOpening: at('2026-03-02T11:30:00Z'),
    });
    expect(nextOpening(spa, monday10, e)).toEqual(at('2026-03-02T11:30:00Z'));
  });

  it('in force until after hours: next opening is the first opening after until', () => {
    const e = emergency('2026-03-06T18:00:00Z');
    expect(openStatus(spa, monday10, e)).toMatchObject({
      open: false,
      reason: { kind: 'emergency' },
      nextOpening: at('2026-03-09T08:00:00+01:00'),
    });
    expect(nextOpening(spa, monday10, e)).toEqual(at('2026-03-09T08:00:00+01:00'));
  });

  it('beats outside-hours and holidays', () => {
    const e = emergency('2026-12-30T00:00:00Z');
    expect(openStatus(spa, at('2026-12-24T10:00:00+01:00'), e)).toMatchObject({
      reason: { kind: 'emergency' },
      nextOpening: at('2026-12-30T08:00:00+01:00'),
    });
  });

  it('expired (at >= until) is ignored', () => {
    const e = emergency('2026-03-02T09:00:00Z'); // = 10:00 Prague
    expect(openStatus(spa, monday10, e)).toEqual({ open: true, closesAt: at('2026-03-02T16:00:00+01:00') });
    expect(openStatus(spa, at('2026-03-02T08:59:59.999Z'), e)).toMatchObject({
      open: false,
      reason: { kind: 'emergency' },
      nextOpening: at('2026-03-02T09:00:00Z'),
    });
    expect(nextOpening(spa, monday10, e)).toEqual(monday10);
  });
});

describe('scheduleDays', () => {
  it('lists Christmas week with holidays', () => {
    const days = scheduleDays(spa, at('2026-12-21T10:00:00+01:00'), 8);
    expect(days).toEqual([
      { date: '2026-12-21', weekday: 'mon', intervals: [iv('08:00', '16:00')] },
      { date: '2026-12-22', weekday: 'tue', intervals: [iv('08:00', '16:00')] },
      { date: '2026-12-23', weekday: 'wed', intervals: [iv('08:00', '16:00')] },
      { date: '2026-12-24', weekday: 'thu', intervals: [], closed: { kind: 'holiday', name: 'Štědrý den' } },
      { date: '2026-12-25', weekday: 'fri', intervals: [], closed: { kind: 'holiday', name: '1. svátek vánoční' } },
      { date: '2026-12-26', weekday: 'sat', intervals: [], closed: { kind: 'holiday', name: '2. svátek vánoční' } },
      { date: '2026-12-27', weekday: 'sun', intervals: [] },
      { date: '2026-12-28', weekday: 'mon', intervals: [iv('08:00', '16:00')] },
    ]);
  });

  it('starts at the local date of `from`', () => {
    const days = scheduleDays(spa, at('2026-03-01T23:30:00Z'), 1);
    expect(days).toEqual([{ date: '2026-03-02', weekday: 'mon', intervals: [iv('08:00', '16:00')] }]);
  });

  it('shows closures and extra openings, intervals sorted', () => {
    const s: Schedule = {
      ...spa,
      weekly: { ...spa.weekly, mon: [iv('13:00', '16:00'), iv('08:00', '12:00')] },
      closures: [{ from: '2026-03-03', reason: 'inventura' }],
      openings: [{ date: '2026-03-07', intervals: [iv('09:00', '12:00')] }],
    };
    expect(scheduleDays(s, at('2026-03-02T00:00:00+01:00'), 6)).toEqual([
      { date: '2026-03-02', weekday: 'mon', intervals: [iv('08:00', '12:00'), iv('13:00', '16:00')] },
      { date: '2026-03-03', weekday: 'tue', intervals: [], closed: { kind: 'closure', reason: 'inventura' } },
      { date: '2026-03-04', weekday: 'wed', intervals: [iv('08:00', '16:00')] },
      { date: '2026-03-05', weekday: 'thu', intervals: [iv('08:00', '16:00')] },
      { date: '2026-03-06', weekday: 'fri', intervals: [iv('08:00', '14:00')] },
      { date: '2026-03-07', weekday: 'sat', intervals: [iv('09:00', '12:00')] },
    ]);
  });

  it('an emergency is reported on the days it overlaps, with the closed part removed', () => {
    const e = emergency('2026-12-22T10:00:00Z', 'porucha'); // Tuesday 11:00 Prague
    const closed = { kind: 'emergency', reason: 'porucha', until: '2026-12-22T10:00:00Z' } as const;
    expect(scheduleDays(spa, at('2026-12-21T10:00:00+01:00'), 3, e)).toEqual([
      { date: '2026-12-21', weekday: 'mon', intervals: [], closed },
      { date: '2026-12-22', weekday: 'tue', intervals: [iv('11:00', '16:00')], closed },
      { date: '2026-12-23', weekday: 'wed', intervals: [iv('08:00', '16:00')] },
    ]);
  });

  it('an emergency ending inside the after-midnight tail of an interval drops that interval from the listing', () => {
    const s = prague({ mon: [iv('22:00', '02:00')], tue: [iv('08:00', '09:00')] });
    const e = emergency('2026-03-03T01:00:00+01:00');
    const days = scheduleDays(s, at('2026-03-02T10:00:00+01:00'), 2, e);
    expect(days.map((d) => [d.date, d.intervals, d.closed?.kind])).toEqual([
      ['2026-03-02', [], 'emergency'],
      ['2026-03-03', [iv('08:00', '09:00')], 'emergency'],
    ]);
    // The engine itself still knows the line is open from 01:00 to 02:00.
    expect(openStatus(s, at('2026-03-03T01:00:00+01:00'), e)).toEqual({
      open: true,
      closesAt: at('2026-03-03T02:00:00+01:00'),
    });
  });

  it('an emergency over a holiday reports the emergency; an expired one is ignored', () => {
    const e = emergency('2026-12-24T12:00:00Z');
    const days = scheduleDays(spa, at('2026-12-24T08:00:00+01:00'), 2, e);
    expect(days[0]).toMatchObject({ date: '2026-12-24', intervals: [], closed: { kind: 'emergency' } });
    expect(days[1]).toMatchObject({ date: '2026-12-25', closed: { kind: 'holiday' } });
    expect(scheduleDays(spa, at('2026-12-24T13:00:00Z'), 1, e)[0]?.closed).toEqual({ kind: 'holiday', name: 'Štědrý den' });
  });
});

describe('weeklySummary', () => {
  it('groups the spa hours into mon–thu and fri', () => {
    expect(weeklySummary(spa)).toEqual([
      { days: ['mon', 'tue', 'wed', 'thu'], intervals: [iv('08:00', '16:00')] },
      { days: ['fri'], intervals: [iv('08:00', '14:00')] },
    ]);
  });

  it('a closed day breaks a run; identical non-adjacent days stay separate', () => {
    const s = prague({
      mon: [iv('08:00', '12:00'), iv('13:00', '16:00')],
      tue: [iv('13:00', '16:00'), iv('08:00', '12:00')],
      thu: [iv('08:00', '12:00'), iv('13:00', '16:00')],
      sat: [iv('09:00', '11:00')],
      sun: [iv('09:00', '11:00')],
    });
    const split = [iv('08:00', '12:00'), iv('13:00', '16:00')];
    expect(weeklySummary(s)).toEqual([
      { days: ['mon', 'tue'], intervals: split },
      { days: ['thu'], intervals: split },
      { days: ['sat', 'sun'], intervals: [iv('09:00', '11:00')] },
    ]);
  });

  it('is empty for a schedule with no weekly hours', () => {
    expect(weeklySummary(prague({ mon: [] }))).toEqual([]);
  });
});

describe('relativeWhen', () => {
  const zone = 'Europe/Prague';
  const monday10 = at('2026-03-02T10:00:00+01:00');

  it('today, with "H:MM" and no leading zero', () => {
    expect(relativeWhen(monday10, at('2026-03-02T13:30:00+01:00'), zone)).toEqual({ kind: 'today', time: '13:30' });
  });

  it('tomorrow', () => {
    expect(relativeWhen(monday10, at('2026-03-03T08:00:00+01:00'), zone)).toEqual({ kind: 'tomorrow', time: '8:00' });
  });

  it('weekday for 2..6 days ahead', () => {
    expect(relativeWhen(monday10, at('2026-03-04T08:05:00+01:00'), zone)).toEqual({
      kind: 'weekday',
      weekday: 'wed',
      time: '8:05',
    });
    expect(relativeWhen(monday10, at('2026-03-08T09:00:00+01:00'), zone)).toEqual({
      kind: 'weekday',
      weekday: 'sun',
      time: '9:00',
    });
  });

  it('date for 7 or more days ahead', () => {
    expect(relativeWhen(monday10, at('2026-03-09T08:00:00+01:00'), zone)).toEqual({
      kind: 'date',
      date: '2026-03-09',
      day: 9,
      month: 3,
      time: '8:00',
    });
  });

  it('date for a target in the past', () => {
    expect(relativeWhen(monday10, at('2026-03-01T08:00:00+01:00'), zone)).toMatchObject({ kind: 'date', day: 1 });
  });

  it('across the spring switch: Friday → Monday 08:00 CEST', () => {
    expect(relativeWhen(at('2026-03-27T15:00:00+01:00'), at('2026-03-30T06:00:00Z'), zone)).toEqual({
      kind: 'weekday',
      weekday: 'mon',
      time: '8:00',
    });
  });

  it('across the spring switch counts calendar days, not 24-hour periods', () => {
    // Saturday 23:30 CET → Monday 00:30 CEST is 24 real hours but two local dates later.
    expect(relativeWhen(at('2026-03-28T22:30:00Z'), at('2026-03-29T22:30:00Z'), zone)).toEqual({
      kind: 'weekday',
      weekday: 'mon',
      time: '0:30',
    });
  });

  it('across the autumn switch: Saturday 23:00 → Sunday 23:00 is tomorrow (25 real hours)', () => {
    expect(relativeWhen(at('2026-10-24T23:00:00+02:00'), at('2026-10-25T23:00:00+01:00'), zone)).toEqual({
      kind: 'tomorrow',
      time: '23:00',
    });
  });

  it('uses local dates: 23:30Z is already the next day in Prague', () => {
    // Same UTC date, different Prague dates.
    expect(relativeWhen(at('2026-03-02T22:00:00Z'), at('2026-03-02T23:30:00Z'), zone)).toEqual({
      kind: 'tomorrow',
      time: '0:30',
    });
    // Different UTC dates, same Prague date.
    expect(relativeWhen(at('2026-03-02T23:30:00Z'), at('2026-03-03T07:00:00Z'), zone)).toEqual({
      kind: 'today',
      time: '8:00',
    });
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and rejects typos without throwing', () => {
    expect(isValidTimeZone('Europe/Prague')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Prag')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('not a zone')).toBe(false);
  });
});
