// The identification dialogue before an operator: insured number, read back, confirmed, then
// the date of birth where the number encodes one. One pure step per webhook; the state rides
// (sealed) in the callback URL. Every path ends in a result — never a dead end.
import { encodedBirthDate, dateOfBirthMatches, isValidInsuredNumber, readBackPairs, type Identity } from './insured-number.js';

export type Phase = 'number' | 'confirm' | 'dob';

export interface DialogueState {
  phase: Phase;
  /** Failed or unconfirmed numbers so far. */
  tries: number;
  /** Failed dates of birth so far. */
  dobTries: number;
  /** The number entered (only from the confirm phase on). */
  number?: string | undefined;
}

/** Each identifier is asked for at most this many times (the first time and twice again). */
export const MAX_TRIES = 3;

export const START: DialogueState = { phase: 'number', tries: 0, dobTries: 0 };

/** Prompt keys the dialogue speaks; every language must define them when a route identifies. */
export const IDENTIFY_PROMPT_KEYS = [
  'identify.ask',
  'identify.invalid',
  'identify.noInput',
  'identify.readBack',
  'identify.dob',
  'identify.dobMismatch',
  'identify.thanks',
  'identify.without',
] as const;

export interface Line {
  key: (typeof IDENTIFY_PROMPT_KEYS)[number];
  vars?: Record<string, string>;
}

export type DialogueInput = { kind: 'digits'; digits: string } | { kind: 'noInput' };

export type DialogueStep =
  | { kind: 'ask'; state: DialogueState; say: Line[]; prompt: Line[]; singleKey: boolean }
  | { kind: 'done'; identity: Identity; insuredNumber?: string | undefined; say: Line[] };

/** What the caller is asked in a phase (the Gather's prompt). */
export function ask(state: DialogueState, say: Line[] = []): DialogueStep {
  switch (state.phase) {
    case 'number':
      return { kind: 'ask', state, say, prompt: [{ key: 'identify.ask' }], singleKey: false };
    case 'confirm':
      return {
        kind: 'ask',
        state,
        say,
        prompt: [{ key: 'identify.readBack', vars: { number: readBackPairs(state.number ?? '') } }],
        singleKey: true,
      };
    case 'dob':
      return { kind: 'ask', state, say, prompt: [{ key: 'identify.dob' }], singleKey: false };
  }
}

export function stepDialogue(state: DialogueState, input: DialogueInput): DialogueStep {
  const digits = input.kind === 'digits' ? input.digits.trim() : '';
  switch (state.phase) {
    case 'number': {
      if (digits.includes('*')) return { kind: 'done', identity: 'none', say: [{ key: 'identify.without' }] };
      if (isValidInsuredNumber(digits)) return ask({ ...state, phase: 'confirm', number: digits });
      return numberAgain(state, digits === '' ? 'identify.noInput' : 'identify.invalid');
    }
    case 'confirm': {
      const number = state.number ?? '';
      if (digits === '1' && isValidInsuredNumber(number)) {
        if (encodedBirthDate(number) === undefined)
          return { kind: 'done', identity: 'number-only', insuredNumber: number, say: [{ key: 'identify.thanks' }] };
        return ask({ ...state, phase: 'dob' });
      }
      // 2, another key or silence: the number is not confirmed; enter it again.
      return numberAgain(state);
    }
    case 'dob': {
      const number = state.number ?? '';
      if (digits.includes('*')) return { kind: 'done', identity: 'number-only', insuredNumber: number, say: [{ key: 'identify.without' }] };
      if (dateOfBirthMatches(number, digits))
        return { kind: 'done', identity: 'two-identifiers', insuredNumber: number, say: [{ key: 'identify.thanks' }] };
      const dobTries = state.dobTries + 1;
      const why: Line = { key: digits === '' ? 'identify.noInput' : 'identify.dobMismatch' };
      if (dobTries >= MAX_TRIES)
        return { kind: 'done', identity: 'number-only', insuredNumber: number, say: [why, { key: 'identify.without' }] };
      return ask({ ...state, dobTries }, [why]);
    }
  }
}

function numberAgain(state: DialogueState, why?: Line['key']): DialogueStep {
  const tries = state.tries + 1;
  const said: Line[] = why ? [{ key: why }] : [];
  if (tries >= MAX_TRIES) return { kind: 'done', identity: 'none', say: [...said, { key: 'identify.without' }] };
  return ask({ phase: 'number', tries, dobTries: 0 }, said);
}
