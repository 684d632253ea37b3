// The fallback document: what Twilio plays when our service fails (the number's Fallback URL,
// `/voice/fallback`, any internal error) — an apology with a voice, then the general line.
// `infoline fallback-twiml` prints the same document for a TwiML Bin or any static host,
// since a Fallback URL on our own host fails together with it.
import type { CompiledConfig } from '../call/compiled.js';
import { GENERAL_QUEUE, resolveQueue } from './queues-schema.js';
import { fallbackTwiml } from './twiml.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';

/** With a config: its Czech apology and general queue or dial target; without: the embedded defaults. */
export function fallbackDocument(config: CompiledConfig | undefined): string {
  if (!config) return fallbackTwiml();
  const general = resolveQueue(config.bundle.queues, GENERAL_QUEUE);
  const apology = config.speech.utter(DEFAULT_LANGUAGE, 'error.apology');
  // A recording URL may live on the host that is down: the fallback always speaks.
  const spoken = { ...apology, audio: undefined };
  if (general?.dial) return fallbackTwiml(spoken, { dial: general.dial });
  return general?.queue ? fallbackTwiml(spoken, { queue: general.queue }) : fallbackTwiml(spoken);
}
