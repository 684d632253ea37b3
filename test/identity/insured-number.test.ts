// The insured number (rodné číslo) rules of seed 004 and the date of birth it encodes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dateOfBirthMatches,
  encodedBirthDate,
  isValidInsuredNumber,
  parseDateOfBirth,
  readBackPairs,
} from '../../src/identity/insured-number.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A valid 10-digit number: a 9-digit head plus the check digit (head mod 11; 10 → 0). */
const tenDigit = (head: string) => `${head}${(Number(head) % 11) % 10}`;

describe('the seed examples (004)', () => {
  it.each(['280715152', '6808215469', '5911755509', '6556685608'])('%s is valid', (n) => {
    expect(isValidInsuredNumber(n)).toBe(true);
  });
  it('280715152 (9 digits) encodes 15 July 1928; 6808215469 encodes 21 August 1968', () => {
    expect(encodedBirthDate('280715152')).toEqual({ year: 1928, month: 7, day: 15 });
    expect(encodedBirthDate('6808215469')).toEqual({ year: 1968, month: 8, day: 21 });
  });
  it('registry-assigned numbers whose date part is not a date encode no date', () => {
    expect(encodedBirthDate('5911755509')).toBeUndefined(); // day 75
    expect(encodedBirthDate('6556685608')).toBeUndefined(); // day 68
  });
});

describe('validity', () => {
  it('the 1954 boundary: 9 digits only for years 00–53', () => {
    expect(isValidInsuredNumber('530101123')).toBe(true);
    expect(isValidInsuredNumber('540101123')).toBe(false);
    expect(isValidInsuredNumber('990101123')).toBe(false);
    expect(isValidInsuredNumber('000101123')).toBe(true);
  });
  it('10 digits must be divisible by 11', () => {
    expect(isValidInsuredNumber('6808215469')).toBe(true);
    expect(isValidInsuredNumber('6808215468')).toBe(false);
    expect(isValidInsuredNumber('6808215460')).toBe(false);
  });
  it('the remainder-10 exception: first nine digits mod 11 = 10 and last digit 0', () => {
    // 680821008 mod 11 = 10 → check digit 0 although 6808210080 is not divisible by 11.
    expect(Number('680821008') % 11).toBe(10);
    expect(Number('6808210080') % 11).not.toBe(0);
    expect(isValidInsuredNumber('6808210080')).toBe(true);
    expect(isValidInsuredNumber('6808210081')).toBe(false);
  });
  it('rejects other lengths and non-digits', () => {
    for (const n of ['', '12345678', '68082154690', '680821/5469', '680821546a', ' 6808215469'])
      expect(isValidInsuredNumber(n)).toBe(false);
  });
  it('property: a generated number with its check digit passes; any other last digit fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 1, max: 9 }), (head, delta) => {
        const n = tenDigit(pad(head, 9));
        expect(isValidInsuredNumber(n)).toBe(true);
        const wrong = `${n.slice(0, 9)}${(Number(n[9]) + delta) % 10}`;
        expect(isValidInsuredNumber(wrong)).toBe(false);
      }),
    );
  });
  it('property: 9-digit numbers are valid exactly for the years 00–53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (x) => {
        const n = pad(x, 9);
        expect(isValidInsuredNumber(n)).toBe(Number(n.slice(0, 2)) <= 53);
      }),
    );
  });
  it('property: a 10-digit number is valid exactly by the rule (mod 11, or remainder 10 + 0)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), (x) => {
        const n = pad(x, 10);
        const head = Number(n.slice(0, 9));
        expect(isValidInsuredNumber(n)).toBe(x % 11 === 0 || (head % 11 === 10 && n[9] === '0'));
      }),
    );
  });
});

describe('the encoded date of birth', () => {
  it('women: month + 50', () => {
    expect(encodedBirthDate(tenDigit('685821546'))).toEqual({ year: 1968, month: 8, day: 21 });
  });
  it('from 2004 also + 20 (men) and + 70 (women); before 2004 those are no date', () => {
    expect(encodedBirthDate(tenDigit('052821123'))).toEqual({ year: 2005, month: 8, day: 21 });
    expect(encodedBirthDate(tenDigit('057821123'))).toEqual({ year: 2005, month: 8, day: 21 });
    expect(encodedBirthDate(tenDigit('032821123'))).toBeUndefined();
    expect(encodedBirthDate(tenDigit('037821123'))).toBeUndefined();
    expect(encodedBirthDate(tenDigit('035821123'))).toEqual({ year: 2003, month: 8, day: 21 });
  });
  it('century: 9 digits are 19yy; 10 digits are 20yy below 54, else 19yy', () => {
    expect(encodedBirthDate('100101123')?.year).toBe(1910);
    expect(encodedBirthDate(tenDigit('100101123'))?.year).toBe(2010);
    expect(encodedBirthDate(tenDigit('540101123'))?.year).toBe(1954);
    expect(encodedBirthDate(tenDigit('530101123'))?.year).toBe(2053);
  });
  it('impossible dates encode none: 30 February, 29 February outside a leap year, month 13, day 0', () => {
    expect(encodedBirthDate(tenDigit('680230123'))).toBeUndefined();
    expect(encodedBirthDate(tenDigit('690229123'))).toBeUndefined();
    expect(encodedBirthDate(tenDigit('680229123'))).toEqual({ year: 1968, month: 2, day: 29 });
    expect(encodedBirthDate(tenDigit('681301123'))).toBeUndefined();
    expect(encodedBirthDate(tenDigit('680800123'))).toBeUndefined();
    expect(encodedBirthDate('6808215468')).toBeUndefined(); // not valid at all
  });
  it('property: any calendar date encoded with the right offsets comes back, and matches its DDMMYYYY', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1954-01-01T00:00:00Z'), max: new Date('2053-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 999 }),
        (date, woman, extra, serial) => {
          const year = date.getUTCFullYear();
          const month = date.getUTCMonth() + 1;
          const day = date.getUTCDate();
          const offset = (woman ? 50 : 0) + (extra && year >= 2004 ? 20 : 0);
          const n = tenDigit(`${pad(year % 100)}${pad(month + offset)}${pad(day)}${pad(serial, 3)}`);
          expect(encodedBirthDate(n)).toEqual({ year, month, day });
          expect(dateOfBirthMatches(n, `${pad(day)}${pad(month)}${year}`)).toBe(true);
          expect(dateOfBirthMatches(n, `${pad(day)}${pad(month)}${year + 1}`)).toBe(false);
        },
      ),
    );
  });
});

describe('date of birth as typed (DDMMYYYY)', () => {
  it('parses calendar dates only', () => {
    expect(parseDateOfBirth('21081968')).toEqual({ year: 1968, month: 8, day: 21 });
    expect(parseDateOfBirth('31041968')).toBeUndefined();
    expect(parseDateOfBirth('2108196')).toBeUndefined();
    expect(parseDateOfBirth('210819680')).toBeUndefined();
  });
  it('matches the number: 6808215469 ↔ 21081968, not 21081969 or the +50 month', () => {
    expect(dateOfBirthMatches('6808215469', '21081968')).toBe(true);
    expect(dateOfBirthMatches('6808215469', '21081969')).toBe(false);
    expect(dateOfBirthMatches('6808215469', '21581968')).toBe(false);
    expect(dateOfBirthMatches('5911755509', '15111959')).toBe(false);
  });
});

it('reads back in pairs', () => {
  expect(readBackPairs('6808215469')).toBe('68 08 21 54 69');
  expect(readBackPairs('280715152')).toBe('28 07 15 15 2');
});
