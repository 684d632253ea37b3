// Prompt rendering: Czech plurals, hours and dates in words, from the shipped prompts.
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { readConfigFiles } from '../../src/config/load.js';
import { createSpeech } from '../../src/speech/speech.js';
import type { Schedule } from '../../src/hours/types.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const built = buildBundle(readConfigFiles(FROZEN_CONFIG));
if (!built.ok) throw new Error('shipped config must validate');
const { bundle } = built;
const speech = createSpeech(bundle.prompts);
const spa = bundle.hours.schedules.spa as Schedule;

describe('queue position in Czech (i18next plurals)', () => {
  it.each([
    [0, 'Jste první v pořadí.'],
    [1, 'Před vámi je 1 volající.'],
    [2, 'Před vámi jsou 2 volající.'],
    [4, 'Před vámi jsou 4 volající.'],
    [5, 'Před vámi je 5 volajících.'],
    [21, 'Před vámi je 21 volajících.'],
  ])('%i ahead → %s', (count, text) => {
    expect(speech.text('cs', 'queue.position', { count })).toBe(text);
  });

  it('English too', () => {
    expect(speech.text('en', 'queue.position', { count: 0 })).toBe('You are first in line.');
    expect(speech.text('en', 'queue.position', { count: 1 })).toBe('There is 1 caller ahead of you.');
    expect(speech.text('en', 'queue.position', { count: 3 })).toBe('There are 3 callers ahead of you.');
  });

  it('waiting time in minutes', () => {
    expect(speech.text('cs', 'queue.wait', { count: 1 })).toContain('1 minuta');
    expect(speech.text('cs', 'queue.wait', { count: 3 })).toContain('3 minuty');
    expect(speech.text('cs', 'queue.wait', { count: 7 })).toContain('7 minut');
  });
});

describe('opening hours in words', () => {
  it('summarises the spa team week', () => {
    expect(speech.weeklyHours('cs', spa)).toBe('pondělí až čtvrtek od 8:00 do 16:00; pátek od 8:00 do 14:00');
    expect(speech.weeklyHours('en', spa)).toBe('Monday to Thursday from 8:00 to 16:00; Friday from 8:00 to 14:00');
  });

  it('a split shift joins its intervals', () => {
    const split: Schedule = {
      timezone: 'Europe/Prague',
      weekly: {
        mon: [
          { from: '08:00', to: '12:00' },
          { from: '13:00', to: '15:00' },
        ],
      },
    };
    expect(speech.weeklyHours('cs', split)).toBe('pondělí od 8:00 do 12:00 a od 13:00 do 15:00');
  });
});

describe('next opening relative to the caller’s day', () => {
  const zone = 'Europe/Prague';
  it.each([
    ['2026-11-25T06:00:00Z', '2026-11-25T07:00:00Z', 'dnes v 8:00'],
    ['2026-11-25T16:00:00Z', '2026-11-26T07:00:00Z', 'zítra v 8:00'],
    ['2026-11-27T14:00:00Z', '2026-11-30T07:00:00Z', 'v pondělí v 8:00'],
    ['2026-11-24T14:00:00Z', '2026-11-25T07:00:00Z', 'zítra v 8:00'],
    ['2026-12-23T15:00:00Z', '2026-12-28T07:00:00Z', 'v pondělí v 8:00'],
    ['2026-12-18T15:00:00Z', '2027-01-04T07:00:00Z', '4. ledna v 8:00'],
    // 23:30Z on the 25th is already the 26th in Prague: the 26th's opening is "today".
    ['2026-11-25T23:30:00Z', '2026-11-26T07:00:00Z', 'dnes v 8:00'],
  ])('at %s, opening %s → "%s"', (now, next, text) => {
    expect(speech.when('cs', new Date(now), new Date(next), zone)).toBe(text);
  });

  it('no opening in sight', () => {
    expect(speech.when('cs', new Date('2026-11-25T06:00:00Z'), null, zone)).toBe('až bude provoz obnoven');
  });
});
