// In-process checks of the CLI's parsing and formatting helpers.
import { describe, expect, it } from 'vitest';
import { csvField } from '../../src/consent/export.js';
import { mermaidLabel } from '../../src/flow/graph.js';
import { dayText } from '../../src/hours/day-text.js';
import { UsageError } from '../../src/cli/io.js';
import { parsePresses } from '../../src/cli/simulate.js';
import { parseDuration, parseInstant, parseUntil } from '../../src/cli/time.js';

describe('times on the command line', () => {
  it('a time without a zone is Prague local time (CET in winter, CEST in summer)', () => {
    expect(new Date(parseInstant('2026-12-24T10:00', '--at')).toISOString()).toBe('2026-12-24T09:00:00.000Z');
    expect(new Date(parseInstant('2026-07-01T10:00', '--at')).toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(new Date(parseInstant('2026-12-24', '--at')).toISOString()).toBe('2026-12-23T23:00:00.000Z');
  });

  it('Z and offsets are honoured', () => {
    expect(new Date(parseInstant('2026-12-24T10:00:00Z', '--at')).toISOString()).toBe('2026-12-24T10:00:00.000Z');
    expect(new Date(parseInstant('2026-12-24T10:00+05:00', '--at')).toISOString()).toBe('2026-12-24T05:00:00.000Z');
  });

  it('garbage is a usage error naming the option', () => {
    expect(() => parseInstant('next friday', '--from')).toThrow(UsageError);
    expect(() => parseInstant('2026-13-40T10:00', '--from')).toThrow(/--from "2026-13-40T10:00" is not a valid date\/time/);
  });

  it('durations: 2h, 30m, 1d, 1h30m, PT2H, P1D', () => {
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('PT2H')).toBe(7_200_000);
    expect(parseDuration('P1D')).toBe(86_400_000);
    expect(parseDuration('2 hours')).toBeUndefined();
    expect(parseDuration('2026-12-24')).toBeUndefined();
  });

  it('--until: a duration from now or a time', () => {
    const now = Date.parse('2026-11-25T08:00:00Z');
    expect(parseUntil('2h', now)).toBe(now + 7_200_000);
    expect(new Date(parseUntil('2026-11-25T12:00', now)).toISOString()).toBe('2026-11-25T11:00:00.000Z');
    expect(() => parseUntil('0m', now)).toThrow(/longer than zero/);
    expect(() => parseUntil('soon', now)).toThrow(UsageError);
  });
});

describe('formatting', () => {
  it('presses: digits, * and #; separators ignored; anything else refused', () => {
    expect(parsePresses('91')).toEqual(['9', '1']);
    expect(parsePresses('*, #0')).toEqual(['*', '#', '0']);
    expect(parsePresses(undefined)).toEqual([]);
    expect(() => parsePresses('1a')).toThrow(UsageError);
  });

  it('CSV fields are quoted per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    // Formula injection (OWASP): =, +, -, @, tab, CR at the start get a leading '.
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1+HYPERLINK("x")')).toBe('"\'+1+HYPERLINK(""x"")"');
    expect(csvField('-1+cmd|x')).toBe("'-1+cmd|x");
    // A (masked) number holds no function: it stays readable data.
    expect(csvField('+420603***456')).toBe('+420603***456');
    expect(csvField('-1')).toBe('-1');
    // Excel would evaluate even a number with a sign: its variant quotes it.
    expect(csvField('+420603***456', ';', true)).toBe("'+420603***456");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('a-b')).toBe('a-b');
    // Bidi controls are stripped (a right-to-left override disguises the text).
    expect(csvField('abc\u202Egnp.exe')).toBe('abcgnp.exe');
    expect(csvField('\u2066=1+1\u2069')).toBe("'=1+1");
    // The separator is quoted whatever it is.
    expect(csvField('a;b', ';')).toBe('"a;b"');
    expect(csvField('a,b', ';')).toBe('a,b');
  });

  it('Mermaid labels cannot break out of their quotes', () => {
    expect(mermaidLabel('a "quoted" | <b>')).toBe('"a #quot;quoted#quot; #124; #lt;b#gt;"');
    expect(mermaidLabel('#1')).toBe('"#35;1"');
  });

  it('a day: intervals, or closed with the reason', () => {
    expect(
      dayText({
        date: '2026-11-27',
        weekday: 'fri',
        intervals: [
          { from: '08:00', to: '12:00' },
          { from: '13:00', to: '14:00' },
        ],
      }),
    ).toBe('08:00–12:00, 13:00–14:00');
    expect(dayText({ date: '2026-12-24', weekday: 'thu', intervals: [], closed: { kind: 'holiday', name: 'Štědrý den' } })).toBe(
      'closed (Štědrý den)',
    );
    expect(dayText({ date: '2026-12-31', weekday: 'thu', intervals: [], closed: { kind: 'closure', reason: 'inventura' } })).toBe(
      'closed (inventura)',
    );
    expect(dayText({ date: '2026-11-29', weekday: 'sun', intervals: [] })).toBe('closed (outside weekly hours)');
    expect(
      dayText({
        date: '2026-11-25',
        weekday: 'wed',
        intervals: [{ from: '12:00', to: '16:00' }],
        closed: { kind: 'emergency', reason: 'porucha', until: '2026-11-25T11:00:00.000Z' },
      }),
    ).toBe('12:00–16:00 (after emergency: porucha until 2026-11-25T11:00:00.000Z)');
  });
});
