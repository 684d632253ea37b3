// Which steps depend on the clock, worked out from the flow alone; and the turn reuses only
// the steps that do not (a scheduled route answers differently at an open and a closed hour).
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/call/compiled.js';
import { playTurn } from '../../src/call/turn.js';
import { buildBundle } from '../../src/config/bundle.js';
import { readConfigFiles } from '../../src/config/load.js';
import { clockDependence } from '../../src/flow/clock.js';
import { flowFileSchema } from '../../src/flow/schema.js';
import type { CallbackUrls } from '../../src/telephony/twiml.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const flow = flowFileSchema.parse({
  start: 'hello',
  retries: 2,
  notice: 'consent.notice',
  nodes: {
    hello: { kind: 'language', language: 'cs', next: 'main' },
    main: {
      kind: 'menu',
      prompts: ['menu.1'],
      options: { '1': 'plain', '2': 'spa', '3': 'english', '4': 'notice_then_menu', '5': 'bye' },
      invalid: ['0', '6', '7', '8', '9'],
      onExhausted: 'late',
    },
    plain: { kind: 'route', queue: 'general', consent: true },
    spa: { kind: 'route', queue: 'spa', consent: true, schedule: 'spa', closed: 'spa_closed' },
    spa_closed: { kind: 'say', schedule: 'spa', prompts: ['closed.team'], next: 'main' },
    english: { kind: 'language', language: 'en', next: 'spa_closed' },
    notice_then_menu: { kind: 'say', prompts: ['menu.about'], next: 'main' },
    bye: { kind: 'goodbye', prompts: ['declined.goodbye'] },
    late: { kind: 'route', queue: 'general', consent: false, schedule: 'spa', closed: 'bye' },
  },
});

describe('clock dependence from the flow', () => {
  const clock = clockDependence(flow);

  it('a new call through a language node to a menu reads no schedule', () => {
    expect(clock.step(undefined, { kind: 'start' })).toBe(false);
  });

  it('a key to a plain route, a goodbye or a say without schedule reads none; a scheduled route or say does', () => {
    expect(clock.step('main', { kind: 'digits', digit: '1' })).toBe(false);
    expect(clock.step('main', { kind: 'digits', digit: '5' })).toBe(false);
    expect(clock.step('main', { kind: 'digits', digit: '4' })).toBe(false);
    expect(clock.step('main', { kind: 'digits', digit: '2' })).toBe(true);
    expect(clock.step('main', { kind: 'digits', digit: '3' })).toBe(true); // language → scheduled say
  });

  it('repeat (*) stays at the menu; a wrong key or silence may end at onExhausted, here a scheduled route', () => {
    expect(clock.step('main', { kind: 'digits', digit: '*' })).toBe(false);
    expect(clock.step('main', { kind: 'digits', digit: '7' })).toBe(true);
    expect(clock.step('main', { kind: 'noInput' })).toBe(true);
  });

  it('a state that is not a menu restarts the call', () => {
    expect(clock.step('spa', { kind: 'digits', digit: '1' })).toBe(false);
  });
});

describe('turns reuse only clock-free steps', () => {
  const built = buildBundle(readConfigFiles(FROZEN_CONFIG));
  if (!built.ok) throw new Error(JSON.stringify(built.issues));
  const config = compileConfig(built.bundle);
  const urls: CallbackUrls = {
    base: 'https://ivr.example.test',
    menu: (s) => `/voice/menu?n=${s.node}`,
    noInput: (s) => `/voice/menu?n=${s.node}&t=1`,
    queueWait: (r) => `/voice/wait?r=${r}`,
    queueDone: (r) => `/voice/done?r=${r}`,
    identify: (r) => `/voice/identify?r=${r}`,
  };
  // 2026-11-25 is a Wednesday: 10:00 Prague is open for spa; Christmas Eve is a holiday.
  const OPEN = Date.parse('2026-11-25T09:00:00Z');
  const CLOSED = Date.parse('2026-12-24T09:00:00Z');
  const press = (digit: string, at: number) =>
    playTurn({
      config,
      state: { node: 'main', retries: 0, lang: 'cs', heard: ['main'] },
      input: { kind: 'digits', digits: digit },
      at,
      closures: [],
      callSid: 'CA1',
      from: undefined,
      urls,
    });

  it('the spa key connects while open and explains the closure at Christmas, in whichever order', () => {
    for (const at of [OPEN, CLOSED, OPEN, CLOSED]) {
      const turn = press('5', at);
      expect(turn.step.actions.some((a) => a.type === 'connect')).toBe(at === OPEN);
      expect(turn.closedSchedules).toEqual(at === OPEN ? [] : ['spa']);
    }
  });

  it('a clock-free key is worked out once and answered the same at any hour', () => {
    const first = press('1', OPEN);
    const second = press('1', CLOSED);
    expect(second.step).toBe(first.step);
    expect(second.render(false)).toBe(first.render(false));
  });
});
