// No dead end: every flow path into an identifying route hands the call to the dialogue (and
// writes no consent yet); every dialogue path ends, within a bound, in the route's consent and
// connection.
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/call/compiled.js';
import { playIdentifyTurn } from '../../src/call/identify-turn.js';
import { buildBundle } from '../../src/config/bundle.js';
import { readConfigFiles } from '../../src/config/load.js';
import type { FlowEvent } from '../../src/flow/machine.js';
import { DIGITS } from '../../src/flow/schema.js';
import { startCall, stepCall } from '../../src/flow/step.js';
import { MAX_TRIES, START, stepDialogue, type DialogueState } from '../../src/identity/dialogue.js';
import { parseTwiml, verbName } from '../../src/telephony/player.js';
import type { CallbackUrls } from '../../src/telephony/twiml.js';
import { IDENTIFY_CONFIG } from '../support/identify.js';

const built = buildBundle(readConfigFiles(IDENTIFY_CONFIG));
if (!built.ok) throw new Error('fixture invalid');
const config = compileConfig(built.bundle);
const at = Date.parse('2026-11-25T09:00:00Z');
const events: FlowEvent[] = [
  ...[...DIGITS, '*', '?'].map((digit) => ({ type: 'DIGIT' as const, digit, at })),
  { type: 'NO_INPUT' as const, at },
];

const INPUTS = ['', '*', '1', '2', '9', '6808215469', '6808215468', '5911755509', '21081968', '01011970'];

describe('flow paths into identifying routes', () => {
  it('end in the identify action alone: no consent, no connection before the dialogue', () => {
    const paths = getShortestPaths(config.flow.machine, { events, input: { lang: 'cs', at, closures: [] } });
    const identifying = paths.filter((p) => ['insurance', 'payments'].includes(String(p.state.value)));
    expect(identifying.length).toBe(2);
    for (const path of identifying) {
      let step = startCall(config.flow, { at });
      for (const e of path.steps.map((s) => s.event).filter((e) => (e.type as string) !== 'xstate.init')) {
        step = stepCall(config.flow, step.state, e as Exclude<FlowEvent, { type: 'CALL' }>);
      }
      expect(step.done).toBe(true);
      expect(step.actions).toEqual([{ type: 'identify', node: String(path.state.value), lang: 'cs' }]);
    }
  });
});

describe('every dialogue path', () => {
  const urls: CallbackUrls = {
    base: 'https://x',
    menu: () => 'https://x/menu',
    noInput: () => 'https://x/noinput',
    queueWait: () => 'https://x/wait',
    queueDone: () => 'https://x/done',
    identify: () => 'https://x/identify?v=1',
  };

  it(`ends within ${MAX_TRIES * 2 + MAX_TRIES} questions in the route's consent and <Enqueue>`, () => {
    // The states form a DAG (tries only grow): walk each distinct state once, keeping the
    // longest path to an ending.
    let endings = 0;
    const longest = new Map<string, number>();
    const walk = (state: DialogueState): number => {
      const key = JSON.stringify(state);
      const known = longest.get(key);
      if (known !== undefined) return known;
      longest.set(key, Infinity); // a cycle would show as an infinite length
      let most = 0;
      for (const input of [...INPUTS.map((digits) => ({ kind: 'digits' as const, digits })), { kind: 'noInput' as const }]) {
        const next = stepDialogue(state, input);
        if (next.kind === 'ask') {
          most = Math.max(most, 1 + walk(next.state));
          continue;
        }
        endings++;
        const turn = playIdentifyTurn({
          config,
          route: 'insurance',
          node: built.bundle.flow.nodes.insurance as never,
          lang: 'cs',
          state,
          input,
          at,
          callSid: 'CA1',
          from: undefined,
          urls,
          nextUrl: () => 'https://x/next',
        });
        expect(turn.consent).toMatchObject({ decision: 'granted', route: 'insurance' });
        expect(parseTwiml(turn.render(true)).verbs.map(verbName).at(-1)).toBe('Enqueue');
      }
      longest.set(key, most);
      return most;
    };
    expect(walk(START)).toBeLessThanOrEqual(MAX_TRIES * 2 + MAX_TRIES);
    expect(endings).toBeGreaterThan(20);
  });
});
