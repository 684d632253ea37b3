// TwiML of the identification dialogue: one <Gather> per question (everything said before it
// inside, for barge-in), then a Redirect for silence. Numbers end with # (or * to skip).
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Utterance } from '../speech/speech.js';
import { GATHER_TIMEOUT_SECONDS, speak } from './twiml.js';

/** Longer than any number or date, so only # (or the timeout) ends the entry. */
export const IDENTIFY_MAX_DIGITS = 16;

export interface IdentifyQuestion {
  /** The Gather's action (the answer arrives as Digits). */
  action: string;
  /** Where Twilio goes when the caller enters nothing. */
  noInput: string;
  /** A 1/2 answer (read-back) rather than a number ending with #. */
  singleKey: boolean;
  /** Spoken inside the Gather: what came before, then the question. */
  utterances: Utterance[];
}

export function appendIdentifyQuestion(response: VoiceResponse, q: IdentifyQuestion): void {
  const gather = response.gather({
    input: ['dtmf'],
    ...(q.singleKey ? { numDigits: 1 } : { numDigits: IDENTIFY_MAX_DIGITS, finishOnKey: '#' }),
    timeout: GATHER_TIMEOUT_SECONDS,
    action: q.action,
    method: 'POST',
  });
  for (const u of q.utterances) speak(gather, u);
  response.redirect({ method: 'POST' }, q.noInput);
}
