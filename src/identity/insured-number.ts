// The Czech insured number (rodné číslo, or a number the insurers' central registry assigns in
// the same form) and the date of birth it may encode. Pure: no clock, no I/O.

export type Identity = 'two-identifiers' | 'number-only' | 'none';

export interface BirthDate {
  year: number;
  month: number;
  day: number;
}

/**
 * A well-formed insured number: 9 digits for those born before 1954 (year 00–53, no check
 * digit), or 10 digits divisible by 11 — or, the historic exception, whose first nine digits
 * leave remainder 10 and whose last digit is 0. The date part need not be a calendar date: the
 * registry assigns numbers such as 5911755509.
 */
export function isValidInsuredNumber(digits: string): boolean {
  if (/^\d{9}$/.test(digits)) return Number(digits.slice(0, 2)) <= 53;
  if (!/^\d{10}$/.test(digits)) return false;
  // 10 digits stay below 2^53: plain numbers are exact.
  if (Number(digits) % 11 === 0) return true;
  return Number(digits.slice(0, 9)) % 11 === 10 && digits[9] === '0';
}

/**
 * The date of birth a valid number encodes, or undefined where it encodes none (an assigned
 * number whose date part is not a calendar date). 9-digit numbers are 19yy; 10-digit ones are
 * 20yy for yy < 54, else 19yy. Women's month +50; from 2004 also +20 (men) and +70 (women).
 */
export function encodedBirthDate(digits: string): BirthDate | undefined {
  if (!isValidInsuredNumber(digits)) return undefined;
  const yy = Number(digits.slice(0, 2));
  const year = digits.length === 9 || yy >= 54 ? 1900 + yy : 2000 + yy;
  const mm = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));
  let month = mm > 70 ? mm - 70 : mm > 50 ? mm - 50 : mm > 20 ? mm - 20 : mm;
  // +20 and +70 were introduced in 2004 (more numbers needed per day).
  if ((mm > 70 || (mm > 20 && mm <= 32)) && year < 2004) month = 0;
  return isCalendarDate(year, month, day) ? { year, month, day } : undefined;
}

/** DDMMYYYY as the caller types it, or undefined when it is not a calendar date. */
export function parseDateOfBirth(digits: string): BirthDate | undefined {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(digits);
  if (!m) return undefined;
  const date = { day: Number(m[1]), month: Number(m[2]), year: Number(m[3]) };
  return isCalendarDate(date.year, date.month, date.day) ? date : undefined;
}

/** Does the typed date of birth (DDMMYYYY) match the date the number encodes? */
export function dateOfBirthMatches(insuredNumber: string, typed: string): boolean {
  const encoded = encodedBirthDate(insuredNumber);
  const given = parseDateOfBirth(typed);
  return (
    encoded !== undefined &&
    given !== undefined &&
    encoded.year === given.year &&
    encoded.month === given.month &&
    encoded.day === given.day
  );
}

/** "6808215469" → "68 08 21 54 69"; a 9-digit number ends with a single digit ("28 07 15 15 2"). */
export function readBackPairs(digits: string): string {
  return (digits.match(/\d{1,2}/g) ?? []).join(' ');
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
