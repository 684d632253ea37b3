// Public holidays via date-holidays, by calendar code "CZ", "DE-BY" or "DE-BY-<region>".
// Only type "public" counts (observances, bank, school and optional days stay open).
// Names come in the country's own language (date-holidays' default), e.g. "Štědrý den".
// Pure lookups on bundled data: no I/O, no clock. Results are cached per code and year.
//
// The calendars and years of holiday-table.ts (generated from date-holidays by
// scripts/holiday-table.ts, checked against it by a test) are answered from that table; only
// another calendar or year loads date-holidays. Loading it costs a fifth of the server's cold
// start (its data for every country, moment-timezone's zones, astronomia), for a table of a few
// hundred dates (issue 17).
import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';
import { HOLIDAY_TABLE } from './holiday-table.js';

// Not named `require`: the server bundle leaves this module to Node, loaded on first use only.
const loadModule = createRequire(import.meta.url);
let library: typeof Holidays | undefined;
function holidaysLibrary(): typeof Holidays {
  library ??= loadModule('date-holidays') as typeof Holidays;
  return library;
}

/** The calendars the table covers (upper case, as written in config). */
const TABLE_CALENDARS = new Set(Object.keys(HOLIDAY_TABLE).map((key) => key.split(':')[0]));

interface CalendarCode {
  country: string;
  state?: string;
  region?: string;
}

const DAY_MS = 86_400_000;

/** Splits and upper-cases a calendar code; undefined when malformed or unknown to date-holidays. */
function parseCode(code: string): CalendarCode | undefined {
  const parts = code.trim().split('-');
  if (parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9]+$/.test(p))) return undefined;
  const [country, state, region] = parts.map((p) => p.toUpperCase());
  if (country === undefined) return undefined;
  // init() returns true even for unknown codes, so check the listings instead (they never throw).
  const Library = holidaysLibrary();
  const lister = new Library();
  if (!Object.hasOwn(lister.getCountries(), country)) return undefined;
  if (state === undefined) return { country };
  if (!Object.hasOwn(lister.getStates(country) ?? {}, state)) return undefined;
  if (region === undefined) return { country, state };
  if (!Object.hasOwn(lister.getRegions(country, state) ?? {}, region)) return undefined;
  return { country, state, region };
}

const knownCache = new Map<string, CalendarCode | undefined>();

function lookupCode(code: string): CalendarCode | undefined {
  if (!knownCache.has(code)) knownCache.set(code, parseCode(code));
  return knownCache.get(code);
}

/** True when date-holidays knows the country (and state/region, when given). Never throws. */
export function isKnownHolidayCalendar(code: string): boolean {
  if (TABLE_CALENDARS.has(code.trim().toUpperCase())) return true;
  try {
    return lookupCode(code) !== undefined;
  } catch {
    return false;
  }
}

const instances = new Map<string, Holidays>();
const yearCache = new Map<string, ReadonlyMap<string, string>>();

function addDaysIso(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Public holidays starting in `year`: local date (YYYY-MM-DD) → name.
 * Empty for unknown codes (the config schema rejects those earlier).
 * A multi-day holiday covers each of its dates; a holiday that starts mid-day
 * closes the whole date (simpler to explain to callers; none in CZ).
 */
export function publicHolidays(code: string, year: number): ReadonlyMap<string, string> {
  const key = `${code}:${year}`;
  const cached = yearCache.get(key);
  if (cached) return cached;
  const tabled = HOLIDAY_TABLE[`${code.trim().toUpperCase()}:${year}`];
  const result = tabled !== undefined ? new Map(Object.entries(tabled)) : libraryHolidays(code, year);
  yearCache.set(key, result);
  return result;
}

/** Public holidays starting in `year`, computed by date-holidays (what the table holds, for any calendar and year). */
export function libraryHolidays(code: string, year: number): Map<string, string> {
  const result = new Map<string, string>();
  const parsed = isKnownHolidayCalendar(code) ? lookupCode(code) : undefined;
  if (parsed) {
    let hd = instances.get(code);
    if (!hd) {
      const Library = holidaysLibrary();
      hd =
        parsed.state === undefined
          ? new Library(parsed.country)
          : parsed.region === undefined
            ? new Library(parsed.country, parsed.state)
            : new Library(parsed.country, parsed.state, parsed.region);
      instances.set(code, hd);
    }
    for (const h of hd.getHolidays(year)) {
      if (h.type !== 'public') continue;
      const first = h.date.slice(0, 10);
      const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
      for (let i = 0; i < span; i++) {
        const date = addDaysIso(first, i);
        const prev = result.get(date);
        // Two public holidays on one date: keep both names.
        result.set(date, prev && prev !== h.name ? `${prev} / ${h.name}` : h.name);
      }
    }
  }
  return result;
}

/** Name of the public holiday on a local date (YYYY-MM-DD), or undefined. */
export function holidayOn(code: string, date: string): string | undefined {
  const year = Number(date.slice(0, 4));
  // A holiday spanning New Year would be listed under the previous year.
  return publicHolidays(code, year).get(date) ?? publicHolidays(code, year - 1).get(date);
}
