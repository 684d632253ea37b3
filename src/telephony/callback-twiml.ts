// TwiML of the callback dialogue (issue 14). The caller's half runs inside the waitUrl
// document (Gather/Say/Redirect/Leave only), so a caller who gives up or fails keeps their
// place in the queue. The little state it needs (offer time, tries, which number) travels in
// the signed query; an entered number never does (it is kept in the store as a draft).
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CompiledConfig } from '../call/compiled.js';
import { groupsSpoken, lastDigitsSpoken } from '../callback/number.js';
import { acceptUrl, dialogueUrl, doneUrl, waitUrl, type DialogueState, type NumberSource, type OutboundTarget } from './callback-urls.js';
import { OFFER_TIMEOUT_SECONDS, type QueueContext } from './queue-twiml.js';
import { FALLBACK_QUEUE, speak } from './twiml.js';

/** Failed tries (invalid number, unknown key) before the caller simply keeps waiting. */
export const CALLBACK_MAX_TRIES = 3;
/** Seconds to type a whole number. */
export const NUMBER_TIMEOUT_SECONDS = 10;
/** A callback caller is connected to an operator; they are not offered anything while waiting. */
const CALLBACK_QUIET_SECONDS = 24 * 3600;

export type { DialogueState, NumberSource } from './callback-urls.js';

const say = (config: CompiledConfig, ctx: QueueContext, target: Parameters<typeof speak>[0], key: string, vars?: Record<string, unknown>) =>
  speak(target, config.speech.utter(ctx.lang, key, vars));

/** Back to waiting, with the offer quiet for another maxWaitSeconds. */
function backToQueue(response: VoiceResponse, ctx: QueueContext, state: DialogueState): void {
  response.redirect({ method: 'POST' }, waitUrl(ctx, { cycle: 1, quietUntil: state.offeredAt + (ctx.queue?.maxWaitSeconds ?? 600) }));
}

/** A number said back and one key: 1 confirm it, 2 another (or a corrected) number. */
function confirmNumberTwiml(
  config: CompiledConfig,
  ctx: QueueContext,
  state: DialogueState,
  source: NumberSource,
  key: string,
  digits: string,
): string {
  const response = new VoiceResponse();
  const gather = response.gather({
    input: ['dtmf'],
    numDigits: 1,
    timeout: OFFER_TIMEOUT_SECONDS,
    finishOnKey: '',
    action: dialogueUrl(ctx, 'confirm', state, source),
    method: 'POST',
  });
  say(config, ctx, gather, key, { digits });
  backToQueue(response, ctx, state);
  return response.toString();
}

/** "We will call you at the number ending 4 5 6: 1 confirm, 2 another number". */
export function confirmCallerTwiml(config: CompiledConfig, ctx: QueueContext, state: DialogueState, caller: string): string {
  return confirmNumberTwiml(config, ctx, state, 'caller', 'callback.confirmCaller', lastDigitsSpoken(caller));
}

/** Enter the number, ending with #; optionally after "this number is not valid". */
export function enterNumberTwiml(config: CompiledConfig, ctx: QueueContext, state: DialogueState, invalid = false): string {
  const response = new VoiceResponse();
  const gather = response.gather({
    input: ['dtmf'],
    finishOnKey: '#',
    timeout: NUMBER_TIMEOUT_SECONDS,
    action: dialogueUrl(ctx, 'number', state),
    method: 'POST',
  });
  if (invalid) say(config, ctx, gather, 'callback.invalidNumber');
  say(config, ctx, gather, 'callback.enterNumber');
  say(config, ctx, response, 'callback.backToQueue');
  backToQueue(response, ctx, state);
  return response.toString();
}

/** The entered number read back in groups: 1 confirm, 2 correct it. */
export function readBackTwiml(config: CompiledConfig, ctx: QueueContext, state: DialogueState, number: string): string {
  return confirmNumberTwiml(config, ctx, state, 'entered', 'callback.readBack', groupsSpoken(number));
}

/** Too many failed tries, or the request could not be stored: the caller keeps waiting. */
export function keepWaitingTwiml(config: CompiledConfig, ctx: QueueContext, state: DialogueState, key = 'callback.backToQueue'): string {
  const response = new VoiceResponse();
  say(config, ctx, response, key);
  backToQueue(response, ctx, state);
  return response.toString();
}

/** 1 keep waiting, 3 a message (<Leave>: the Enqueue action records it), 4 where else to turn. */
export function offerOtherChoiceTwiml(config: CompiledConfig, ctx: QueueContext, state: DialogueState, digits: string): string {
  const response = new VoiceResponse();
  if (digits === '3') {
    response.leave();
    return response.toString();
  }
  if (digits === '4') say(config, ctx, response, 'queue.elsewhere');
  backToQueue(response, ctx, state);
  return response.toString();
}

/** The request is stored: thanks (with the next opening when placing is closed now), then <Leave/>. */
export function requestedTwiml(config: CompiledConfig, ctx: QueueContext, opts: { already: boolean; when?: string | undefined }): string {
  const response = new VoiceResponse();
  if (opts.already) say(config, ctx, response, 'callback.already');
  else if (opts.when !== undefined) say(config, ctx, response, 'callback.confirmedLater', { when: opts.when });
  else say(config, ctx, response, 'callback.confirmed');
  response.leave();
  return response.toString();
}

/** The Enqueue action after a <Leave> for a callback: goodbye, hang up — no message recording. */
export function callbackGoodbyeTwiml(config: CompiledConfig, lang: string): string {
  const response = new VoiceResponse();
  speak(response, config.speech.utter(lang, 'callback.goodbye'));
  response.hangup();
  return response.toString();
}

// --- The outbound call -------------------------------------------------------------------

export interface OutboundContext {
  ctx: QueueContext;
  id: string;
}

const outboundTarget = (o: OutboundContext): OutboundTarget => ({ base: o.ctx.base, id: o.id, version: o.ctx.version, lang: o.ctx.lang });

/** A person answered: greeting, the short recording notice, 1 to be connected. */
export function outboundGreetingTwiml(config: CompiledConfig, o: OutboundContext, repeat = false): string {
  const response = new VoiceResponse();
  const gather = response.gather({
    input: ['dtmf'],
    numDigits: 1,
    timeout: OFFER_TIMEOUT_SECONDS + 2,
    finishOnKey: '',
    action: acceptUrl(outboundTarget(o), repeat ? { r: '1' } : {}),
    method: 'POST',
  });
  if (!repeat) {
    say(config, o.ctx, gather, 'callback.greeting');
    say(config, o.ctx, gather, 'callback.notice');
  }
  say(config, o.ctx, gather, 'callback.connect');
  response.redirect({ method: 'POST' }, acceptUrl(outboundTarget(o), { r: repeat ? '1' : '0', e: 'noinput' }));
  return response.toString();
}

/** Voicemail, fax, no key or an ended request: a short message, goodbye (a retry follows if any). */
export function outboundEndTwiml(
  config: CompiledConfig,
  lang: string,
  key: 'callback.machine' | 'callback.noKey' | 'callback.goodbye',
): string {
  const response = new VoiceResponse();
  speak(response, config.speech.utter(lang, key));
  response.hangup();
  return response.toString();
}

/** 1 pressed: into the same queue, with the consent already in the log. */
export function outboundEnqueueTwiml(o: OutboundContext): string {
  const response = new VoiceResponse();
  const ctx: QueueContext = { ...o.ctx, consent: true };
  response.enqueue(
    {
      action: doneUrl(ctx),
      method: 'POST',
      waitUrl: waitUrl(ctx, { cycle: 0, quietUntil: CALLBACK_QUIET_SECONDS }),
      waitUrlMethod: 'POST',
    },
    ctx.queue?.queue ?? FALLBACK_QUEUE,
  );
  return response.toString();
}
