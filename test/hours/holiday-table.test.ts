// The generated holiday table (src/hours/holiday-table.ts) answers what date-holidays would:
// regenerate it with `npx tsx scripts/holiday-table.ts` when this fails (a date-holidays upgrade).
import { describe, expect, it } from 'vitest';
import { HOLIDAY_TABLE } from '../../src/hours/holiday-table.js';
import { HOLIDAY_CALENDARS, HOLIDAY_YEARS } from '../../src/hours/holiday-years.js';
import { holidayOn, isKnownHolidayCalendar, libraryHolidays, publicHolidays } from '../../src/hours/holidays.js';

describe('the generated holiday table', () => {
  it('covers every calendar and year it promises', () => {
    const years = HOLIDAY_YEARS.last - HOLIDAY_YEARS.first + 1;
    expect(Object.keys(HOLIDAY_TABLE)).toHaveLength(HOLIDAY_CALENDARS.length * years);
  });

  it.each(Object.keys(HOLIDAY_TABLE))('%s holds exactly what date-holidays computes', (key) => {
    const [calendar, year] = key.split(':') as [string, string];
    expect(HOLIDAY_TABLE[key]).toEqual(Object.fromEntries(libraryHolidays(calendar, Number(year))));
  });

  it('a year outside the table and another calendar come from date-holidays', () => {
    expect(publicHolidays('CZ', HOLIDAY_YEARS.last + 5).get(`${HOLIDAY_YEARS.last + 5}-12-24`)).toBe('Štědrý den');
    expect(isKnownHolidayCalendar('DE-BY')).toBe(true);
    expect(holidayOn('DE-BY', '2026-01-06')).toBe('Heilige Drei Könige');
    expect(holidayOn('CZ', '2026-01-06')).toBeUndefined();
    expect(isKnownHolidayCalendar('XX')).toBe(false);
  });

  it('a calendar code is matched whatever its case and spacing', () => {
    expect(isKnownHolidayCalendar(' cz ')).toBe(true);
    expect(holidayOn('cz', '2026-12-24')).toBe('Štědrý den');
  });
});
