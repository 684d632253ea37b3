import { describe, it, expect } from 'vitest';
import { holidayOn, isKnownHolidayCalendar, publicHolidays } from '../../src/hours/holidays.js';

// What date-holidays 3.x returns for CZ, type "public" only (checked by hand against the
// Czech law on public holidays, zákon č. 245/2000 Sb.).
const CZ_2026: Record<string, string> = {
  '2026-01-01': 'Nový rok a Den obnovy samostatného českého státu',
  '2026-04-03': 'Velký pátek',
  '2026-04-06': 'Velikonoční pondělí',
  '2026-05-01': 'Svátek práce',
  '2026-05-08': 'Den vítězství',
  '2026-07-05': 'Den slovanských věrozvěstů Cyrila a Metoděje',
  '2026-07-06': 'Den upálení mistra Jana Husa',
  '2026-09-28': 'Den české státnosti',
  '2026-10-28': 'Den vzniku samostatného československého státu',
  '2026-11-17': 'Den boje za svobodu a demokracii',
  '2026-12-24': 'Štědrý den',
  '2026-12-25': '1. svátek vánoční',
  '2026-12-26': '2. svátek vánoční',
};

const CZ_2027: Record<string, string> = {
  '2027-01-01': 'Nový rok a Den obnovy samostatného českého státu',
  '2027-03-26': 'Velký pátek',
  '2027-03-29': 'Velikonoční pondělí',
  '2027-05-01': 'Svátek práce',
  '2027-05-08': 'Den vítězství',
  '2027-07-05': 'Den slovanských věrozvěstů Cyrila a Metoděje',
  '2027-07-06': 'Den upálení mistra Jana Husa',
  '2027-09-28': 'Den české státnosti',
  '2027-10-28': 'Den vzniku samostatného československého státu',
  '2027-11-17': 'Den boje za svobodu a demokracii',
  '2027-12-24': 'Štědrý den',
  '2027-12-25': '1. svátek vánoční',
  '2027-12-26': '2. svátek vánoční',
};

describe('publicHolidays', () => {
  it('lists exactly the 13 Czech public holidays of 2026, in Czech', () => {
    expect(Object.fromEntries(publicHolidays('CZ', 2026))).toEqual(CZ_2026);
  });

  it('lists exactly the 13 Czech public holidays of 2027, in Czech', () => {
    expect(Object.fromEntries(publicHolidays('CZ', 2027))).toEqual(CZ_2027);
  });

  it('ignores observances (Škaredá středa, Zelený čtvrtek, Bílá sobota, Den matek)', () => {
    for (const date of ['2026-04-01', '2026-04-02', '2026-04-04', '2026-04-05', '2026-05-10']) {
      expect(holidayOn('CZ', date)).toBeUndefined();
    }
  });

  it('returns undefined on a working day', () => {
    expect(holidayOn('CZ', '2026-12-23')).toBeUndefined();
    expect(holidayOn('CZ', '2026-12-27')).toBeUndefined();
  });

  it('supports a state code and is case-insensitive', () => {
    // Heilige Drei Könige is public in Bavaria but not in Berlin.
    expect(holidayOn('DE-BY', '2026-01-06')).toBe('Heilige Drei Könige');
    expect(holidayOn('DE-BE', '2026-01-06')).toBeUndefined();
    expect(holidayOn('cz', '2026-12-24')).toBe('Štědrý den');
  });

  it('returns nothing (and does not throw) for an unknown calendar', () => {
    expect(publicHolidays('XX', 2026).size).toBe(0);
  });
});

describe('isKnownHolidayCalendar', () => {
  it('accepts known countries and states', () => {
    expect(isKnownHolidayCalendar('CZ')).toBe(true);
    expect(isKnownHolidayCalendar('SK')).toBe(true);
    expect(isKnownHolidayCalendar('DE-BY')).toBe(true);
  });

  it('rejects unknown or malformed codes without throwing', () => {
    for (const code of ['XX', '', 'DE-XX', 'CZ-', 'C Z', 'CZ-10-11-12', '__proto__', 'constructor']) {
      expect(isKnownHolidayCalendar(code)).toBe(false);
    }
  });
});
