// Path tests of the default flow (xstate/graph) and pure step tests (transition()-level).
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { compileConfig } from '../../src/call/compiled.js';
import { buildBundle } from '../../src/config/bundle.js';
import { readConfigFiles } from '../../src/config/load.js';
import type { CallState, FlowAction, FlowEvent } from '../../src/flow/machine.js';
import { DIGITS } from '../../src/flow/schema.js';
import { startCall, stepCall, type CompiledFlow } from '../../src/flow/step.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const built = buildBundle(readConfigFiles(FROZEN_CONFIG));
if (!built.ok) throw new Error(`default config invalid: ${JSON.stringify(built.issues)}`);
const bundle = built.bundle;
const compiled = compileConfig(bundle);
const flow: CompiledFlow = compiled.flow;
const machine = flow.machine;

// 2026-11-25 is a Wednesday: 10:00 Prague (CET) is 09:00Z, the spa team is open.
const OPEN = Date.parse('2026-11-25T09:00:00Z');
// Christmas Eve, a public holiday: closed.
const CLOSED = Date.parse('2026-12-24T09:00:00Z');

const KEYS = [...DIGITS, '*', '?'];

function eventsAt(at: number): FlowEvent[] {
  return [...KEYS.map((digit) => ({ type: 'DIGIT' as const, digit, at })), { type: 'NO_INPUT' as const, at }];
}

type Snapshot = ReturnType<typeof machine.transition>;

const nodeOf = (snapshot: Snapshot) => String(snapshot.value).replace(/@open$/, '');

function reachable(at: number) {
  return getShortestPaths(machine, { events: eventsAt(at), input: { lang: 'cs', at, closures: [] } });
}

/** How a final state leaves the IVR, from the flow definition. */
function ending(snapshot: Snapshot): { kind: 'queue' | 'dial' | 'goodbye'; target: string } | undefined {
  const node = bundle.flow.nodes[nodeOf(snapshot)];
  if (node?.kind === 'goodbye') return { kind: 'goodbye', target: 'hangup' };
  if (node?.kind === 'route') {
    const target = bundle.queues.queues[node.queue];
    if (target?.dial) return { kind: 'dial', target: target.dial };
    if (target?.queue) return { kind: 'queue', target: target.queue };
  }
  return undefined;
}

describe.each([
  ['spa open (Wednesday 10:00)', OPEN],
  ['spa closed (Christmas Eve 10:00)', CLOSED],
])('every path of the default flow, %s', (_label, at) => {
  const paths = reachable(at);

  it('reaches a finite set of states, each a waiting menu or a final connect / dial / goodbye', () => {
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.length).toBeLessThan(200);
    for (const path of paths) {
      const s = path.state;
      if (s.status === 'done') {
        expect(ending(s), `final state ${nodeOf(s)}`).toBeDefined();
      } else {
        // Not final: the call waits at a menu for a key (say/language/route never wait).
        expect(bundle.flow.nodes[nodeOf(s)]?.kind, `state ${nodeOf(s)}`).toBe('menu');
      }
    }
  });

  it('from every reachable state, silence or wrong keys end the call at the general queue within `retries` prompts', () => {
    for (const path of paths) {
      if (path.state.status === 'done') continue;
      for (const failure of [{ type: 'NO_INPUT', at } as const, { type: 'DIGIT', digit: '?', at } as const]) {
        let s: Snapshot = path.state as Snapshot;
        let n = 0;
        while (s.status !== 'done') {
          [s] = transition(machine, s, failure);
          n++;
          expect(n).toBeLessThanOrEqual(bundle.flow.retries);
        }
        expect(ending(s)).toEqual({ kind: 'queue', target: 'ozp-general' });
      }
    }
  });

  it('every final state can be reached and is a queue, a dial or a goodbye', () => {
    const endings = new Set(
      paths.filter((p) => p.state.status === 'done').map((p) => `${ending(p.state)?.kind} ${ending(p.state)?.target}`),
    );
    for (const q of [
      'ozp-insurance',
      'ozp-vitakarta',
      'ozp-payments',
      'ozp-benefits',
      'ozp-doctors',
      'ozp-travel',
      'ozp-eu',
      'ozp-english',
      'ozp-general',
    ]) {
      expect(endings).toContain(`queue ${q}`);
    }
    expect(endings).toContain('goodbye hangup');
    if (at === OPEN) expect(endings).toContain('queue ozp-spa');
    else expect(endings).not.toContain('queue ozp-spa');
  });
});

describe('shortest paths', () => {
  it('open: 5 connects to the spa queue in one step; closed: 5 returns to the main menu', () => {
    const toSpa = reachable(OPEN).find((p) => p.state.status === 'done' && ending(p.state)?.target === 'ozp-spa');
    expect(toSpa?.steps.map((s) => (s.event.type === 'DIGIT' ? s.event.digit : s.event.type))).toEqual(['xstate.init', '5']);
    const [closedFive] = transition(
      machine,
      machine.resolveState({ value: 'main', context: { retries: 0, lang: 'cs', heard: ['main'], maxRetries: 3 } }),
      { type: 'DIGIT', digit: '5', at: CLOSED },
    );
    expect(closedFive.value).toBe('main');
    expect(closedFive.status).toBe('active');
  });
});

// --- transition()-level steps -----------------------------------------------------------------

const world = { at: OPEN, closures: [] };
const types = (actions: FlowAction[]) => actions.map((a) => a.type);
const gatherOf = (actions: FlowAction[]) => actions.find((a): a is Extract<FlowAction, { type: 'gather' }> => a.type === 'gather');
const step = (state: CallState, digit: string | null, at = OPEN) =>
  stepCall(flow, state, digit === null ? { type: 'NO_INPUT', at, closures: [] } : { type: 'DIGIT', digit, at, closures: [] });

const MAIN = bundle.flow.nodes.main;
if (MAIN?.kind !== 'menu') throw new Error('main is not a menu');

describe('startCall / stepCall', () => {
  it('the first answer plays the intro (greeting, consent notice) and the menu, in Czech', () => {
    const r = startCall(flow, world);
    expect(r.state).toEqual({ node: 'main', retries: 0, lang: 'cs', heard: ['main'] });
    expect(gatherOf(r.actions)).toEqual({ type: 'gather', node: 'main', keys: [...MAIN.intro, ...MAIN.prompts], lang: 'cs' });
    expect(gatherOf(r.actions)!.keys).toContain('consent.notice');
    expect(r.done).toBe(false);
  });

  it('counts failed prompts; the intro (consent notice) is only played on the first pass', () => {
    let r = startCall(flow, world);
    r = step(r.state, null);
    expect(r.state.retries).toBe(1);
    expect(r.actions[0]).toEqual({ type: 'menuFailure', failure: 'noInput', lang: 'cs' });
    expect(gatherOf(r.actions)!.keys).toEqual(MAIN.prompts);
    r = step(r.state, '?');
    expect(r.state.retries).toBe(2);
    expect(r.actions[0]).toEqual({ type: 'menuFailure', failure: 'invalid', lang: 'cs' });
    r = step(r.state, null);
    expect(r.done).toBe(true);
    expect(r.actions).toContainEqual({ type: 'connect', node: 'general', queue: 'general', consent: false, lang: 'cs' });
    expect(types(r.actions)).not.toContain('recordConsent');
  });

  it('* repeats the whole menu and does not count as a failure', () => {
    let r = startCall(flow, world);
    r = step(r.state, null);
    expect(r.state.retries).toBe(1);
    for (let i = 0; i < 10; i++) {
      r = step(r.state, '*');
      expect(r.state.retries).toBe(1);
      expect(types(r.actions)).toEqual(['gather']);
      expect(gatherOf(r.actions)!.keys).toEqual(MAIN.prompts);
    }
    r = step(r.state, '1');
    expect(r.actions).toContainEqual({ type: 'recordConsent', decision: 'granted', route: 'insurance', lang: 'cs' });
    expect(r.actions.at(-1)).toEqual({ type: 'connect', node: 'insurance', queue: 'insurance', consent: true, lang: 'cs' });
  });

  it('a closed team sends the caller back to the menu with retries reset and without the intro again', () => {
    let r = startCall(flow, { at: CLOSED, closures: [] });
    r = step(r.state, null, CLOSED);
    expect(r.state.retries).toBe(1);
    r = step(r.state, '5', CLOSED);
    expect(r.state).toMatchObject({ node: 'main', retries: 0 });
    expect(r.actions[0]).toMatchObject({ type: 'say', schedule: 'spa' });
    expect(gatherOf(r.actions)!.keys).toEqual(MAIN.prompts);
  });

  it('an emergency closure closes an otherwise open team', () => {
    const closures = [{ schedule: 'spa', until: '2026-11-25T12:00:00.000Z', reason: 'porucha', since: '2026-11-25T08:00:00.000Z' }];
    const r = stepCall(flow, startCall(flow, world).state, { type: 'DIGIT', digit: '5', at: OPEN, closures });
    expect(r.state.node).toBe('main');
    const later = stepCall(flow, startCall(flow, world).state, {
      type: 'DIGIT',
      digit: '5',
      at: Date.parse('2026-11-25T12:00:00Z'),
      closures,
    });
    expect(later.done).toBe(true);
  });

  it('9 switches to English: the English menu with its consent notice, in English', () => {
    const r = step(startCall(flow, world).state, '9');
    expect(r.state).toMatchObject({ node: 'english_menu', lang: 'en', retries: 0 });
    const gather = gatherOf(r.actions)!;
    expect(gather.lang).toBe('en');
    expect(gather.keys[0]).toBe('consent.notice');
    const done = step(r.state, '1');
    expect(done.actions).toContainEqual({ type: 'recordConsent', decision: 'granted', route: 'english_operator', lang: 'en' });
    const wrong = step(r.state, '5');
    expect(wrong.state).toMatchObject({ node: 'english_menu', retries: 1, lang: 'en' });
    expect(wrong.actions[0]).toEqual({ type: 'menuFailure', failure: 'invalid', lang: 'en' });
  });

  it('0 declines: a declined consent, the goodbye texts, hang-up', () => {
    const r = step(startCall(flow, world).state, '0');
    expect(r.done).toBe(true);
    expect(types(r.actions)).toEqual(['recordConsent', 'say', 'hangup']);
    expect(r.actions[0]).toEqual({ type: 'recordConsent', decision: 'declined', route: 'none', lang: 'cs' });
  });

  it('a call can start in English', () => {
    const r = startCall(flow, world, 'en');
    expect(gatherOf(r.actions)!.lang).toBe('en');
    expect(r.state.lang).toBe('en');
  });
});
