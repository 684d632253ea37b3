// What src/hours/holiday-table.ts covers: the shipped config's calendar, from a few years back
// (reports, simulations of past dates) to well past any release's life.
export const HOLIDAY_CALENDARS = ['CZ'] as const;
export const HOLIDAY_YEARS = { first: 2020, last: 2045 } as const;
