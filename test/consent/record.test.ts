import fc from 'fast-check';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { maskCaller, sha256Hex } from '../../src/consent/record.js';

describe('maskCaller', () => {
  it.each([
    ['+420603123456', '+420603***456'],
    ['+441632960961', '+44163****961'],
    ['+12025550123', '+1202****123'],
    // The reversible masks: nothing hidden, one digit hidden.
    ['2025550123', '202****123'],
    ['+4930123456', '+4930***456'],
    ['603123456', '603***456'],
    ['+420 603 123 456', '+420603***456'],
    ['+42012', '+*****'],
    ['12', '**'],
    ['123abc', '***'],
    // Rows masked by the old rule are masked again (their stars stay hidden).
    ['+120255***123', '+1202*****123'],
    ['60***56', '6****56'],
    ['anonymous', 'ano***'],
    ['sip:alice@example.org', 'sip***'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('%s → %s', (raw, masked) => {
    expect(maskCaller(raw)).toBe(masked);
  });

  it('hides at least three digits of any number and shows no more than the rule allows', () => {
    const callingCodes = new Set(getCountries().map((c) => getCountryCallingCode(c)));
    fc.assert(
      fc.property(fc.boolean(), fc.stringMatching(/^\d{1,18}$/), (plus, digits) => {
        const masked = maskCaller(`${plus ? '+' : ''}${digits}`);
        const m = /^(\+?)(\d*)(\*+)(\d*)$/.exec(masked);
        expect(m, masked).not.toBeNull();
        const [, sign, shownHead, stars, shownTail] = m as unknown as [string, string, string, string, string];
        expect(sign).toBe(plus ? '+' : '');
        // One star per hidden digit, the shown digits are the number's own ends.
        expect(shownHead.length + stars.length + shownTail.length).toBe(digits.length);
        expect(digits.startsWith(shownHead) && digits.endsWith(shownTail)).toBe(true);
        expect(stars.length).toBeGreaterThanOrEqual(Math.min(3, digits.length));
        expect(shownTail.length).toBeLessThanOrEqual(3);
        const cc = plus ? ([1, 2, 3].map((n) => digits.slice(0, n)).find((c) => callingCodes.has(c)) ?? '') : '';
        expect(shownHead.length).toBeLessThanOrEqual(cc.length + 3);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent: a masked number masks to itself', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.stringMatching(/^\d{1,18}$/), (plus, digits) => {
        const once = maskCaller(`${plus ? '+' : ''}${digits}`);
        expect(maskCaller(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('never keeps the middle digits of a number', () => {
    const masked = maskCaller('+420603987654');
    expect(masked).not.toContain('987');
  });
});

describe('sha256Hex', () => {
  it('is the 64-hex digest of the UTF-8 text', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('Informace o zpracování')).toMatch(/^[0-9a-f]{64}$/);
  });
});
