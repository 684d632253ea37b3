// The journey events of one menu webhook, worked out from its pure turn. The key pressed is
// kept only when the menu maps it (a choice); any other input is just "invalid".
import type { Turn } from '../call/turn.js';
import { normalizeDigits } from '../flow/step.js';
import type { JourneyEvent } from './journey.js';

export interface TurnFacts {
  callSid: string;
  /** ms since the epoch, the request's "now". */
  at: number;
  input: 'start' | 'digits' | 'noInput';
  /** The Digits parameter as received (only '*' matters here: a repeat is no event). */
  key?: unknown;
  /** The node the call was at before this webhook (from the callback URL). */
  before?: string | undefined;
  turn: Pick<Turn, 'step' | 'choice' | 'closedSchedules' | 'consent'>;
}

export function turnEvents(f: TurnFacts): JourneyEvent[] {
  const at = new Date(f.at).toISOString();
  const { step } = f.turn;
  const now = step.state.node;
  const out: JourneyEvent[] = [];
  const add = (kind: JourneyEvent['kind'], node: string, extra: Partial<JourneyEvent> = {}) =>
    out.push({ callSid: f.callSid, at, node, kind, ...extra });
  const where = f.before ?? now;
  if (f.input === 'start') add('start', now);
  else if (f.input === 'noInput') add('noInput', where);
  else if (f.turn.choice !== undefined) add('choice', where, { detail: f.turn.choice });
  else if (normalizeDigits(f.key) !== '*') add('invalid', where);
  for (const schedule of f.turn.closedSchedules) add('closed', now, { detail: schedule });
  const connect = step.actions.find((a) => a.type === 'connect');
  if (connect) add('route', connect.node, { queue: connect.queue });
  else if (f.turn.consent?.decision === 'declined') add('declined', now);
  else if (step.done) add('goodbye', now);
  else if (out[out.length - 1]?.node !== now) add('menu', now);
  return out;
}
