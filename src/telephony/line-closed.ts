// What a new call hears while the whole line is closed: the reason, where else to turn
// (any OZP branch, the e-filing office), a goodbye and an explicit hang-up.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Speech } from '../speech/speech.js';
import { speak } from './twiml.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';

export const LINE_CLOSED_KEYS = ['line.closed', 'line.elsewhere', 'line.goodbye'] as const;

export function lineClosedTwiml(speech: Speech, lang: string, reason: string): string {
  const response = new VoiceResponse();
  const language = speech.languages.includes(lang) ? lang : DEFAULT_LANGUAGE;
  for (const key of LINE_CLOSED_KEYS) speak(response, speech.utter(language, key, { reason }));
  response.hangup();
  return response.toString();
}
