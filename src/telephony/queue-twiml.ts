// TwiML while a caller waits in a queue (<Enqueue waitUrl>) and after the queue or dial ends
// (<Enqueue action>, <Dial action>): position, average wait, tips, and never waiting forever.
//
// Only verbs Twilio allows in a waitUrl document are used in holdTwiml / queueChoiceTwiml:
// Play, Say, Pause, Gather, Redirect, Leave (and Hangup). Every hold document ends with a
// <Redirect> back to the waitUrl that carries the little state waiting needs (how many hold
// cycles were played, until when the overflow offer stays quiet) in the signed query, so any
// instance can answer the next cycle.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CompiledConfig } from '../call/compiled.js';
import { doneUrl, int, messageUrl, offerUrl, waitUrl, type HoldState, type HoldTarget } from './callback-urls.js';
import { GENERAL_QUEUE, resolveQueue, type ResolvedQueue } from './queues-schema.js';
import { FALLBACK_QUEUE, speak } from './twiml.js';

export type { HoldState } from './callback-urls.js';

/** A hold's callback target (route = the flow's route node, e.g. `insurance`) and its queue. */
export interface QueueContext extends HoldTarget {
  queue: ResolvedQueue | undefined;
}

/** Twilio's waitUrl parameters, as strings (absent or garbage values are ignored). */
export interface WaitParams {
  QueuePosition?: unknown;
  QueueTime?: unknown;
  AvgQueueTime?: unknown;
  CurrentQueueSize?: unknown;
}

export interface QueueResultInput {
  queueResult?: string | undefined;
  dialStatus?: string | undefined;
}

/** Seconds of silence between two hold announcements (when no hold audio is configured). */
export const HOLD_PAUSE_SECONDS = 20;
/** Seconds the caller has to answer the overflow offer. */
export const OFFER_TIMEOUT_SECONDS = 6;
/**
 * Whether a <Record> action caught a message: Twilio calls the action (and keeps a file) even
 * for silence, so a message needs a RecordingSid and a RecordingDuration above zero.
 */
export function isRecordedMessage(params: { RecordingSid?: unknown; RecordingDuration?: unknown }): boolean {
  const seconds = int(params.RecordingDuration);
  return typeof params.RecordingSid === 'string' && params.RecordingSid.trim() !== '' && seconds !== undefined && seconds > 0;
}

/** Longest voice message a caller can leave, in seconds. */
export const MESSAGE_MAX_SECONDS = 120;

/** One hold cycle: position, average wait, a tip, hold audio (or a pause) — or the overflow offer. */
export function holdTwiml(config: CompiledConfig, ctx: QueueContext, params: WaitParams, state: HoldState): string {
  const { speech } = config;
  const response = new VoiceResponse();
  const position = int(params.QueuePosition);
  const waited = int(params.QueueTime) ?? 0;
  const avg = int(params.AvgQueueTime);
  const size = int(params.CurrentQueueSize);
  const maxWait = ctx.queue?.maxWaitSeconds ?? 600;
  const maxSize = ctx.queue?.maxSize ?? 50;
  const quiet = state.quietUntil !== undefined && waited < state.quietUntil;
  const next: HoldState = { cycle: state.cycle + 1, quietUntil: state.quietUntil };

  // With callbacks enabled the offer comes after offerAfterSeconds and adds "call me back" (issue 14).
  const callback = ctx.queue?.callback.enabled === true ? ctx.queue.callback : undefined;
  if (
    !quiet &&
    ((callback !== undefined && waited >= callback.offerAfterSeconds) || waited >= maxWait || (size !== undefined && size > maxSize))
  ) {
    const gather = response.gather({
      input: ['dtmf'],
      numDigits: 1,
      finishOnKey: '',
      timeout: OFFER_TIMEOUT_SECONDS,
      action: offerUrl(ctx, callback !== undefined, waited),
      method: 'POST',
    });
    speak(gather, speech.utter(ctx.lang, callback ? 'callback.offer' : 'queue.overflow'));
    // No key: the caller keeps waiting and is not asked again for another maxWaitSeconds.
    next.quietUntil = waited + maxWait;
  } else {
    // Twilio's QueuePosition counts from 1; the caller hears how many are ahead.
    if (position !== undefined && position >= 1) speak(response, speech.utter(ctx.lang, 'queue.position', { count: position - 1 }));
    if (avg !== undefined) {
      const minutes = Math.round(avg / 60);
      speak(response, minutes < 1 ? speech.utter(ctx.lang, 'queue.wait_short') : speech.utter(ctx.lang, 'queue.wait', { count: minutes }));
    }
    const tips = ctx.queue?.tips === false ? [] : speech.list(ctx.lang, 'queue.tips');
    const tip = tips[state.cycle % Math.max(tips.length, 1)];
    // A tip is one item of a list prompt: spoken with the language's voice (taken from a
    // plain prompt of the same language), never with another prompt's recording.
    if (tip !== undefined && tip !== '') speak(response, { ...speech.utter(ctx.lang, 'queue.wait_short'), text: tip, audio: undefined });
  }
  if (ctx.queue?.holdAudio) response.play({}, ctx.queue.holdAudio);
  else response.pause({ length: HOLD_PAUSE_SECONDS });
  response.redirect({ method: 'POST' }, waitUrl(ctx, next));
  return response.toString();
}

/**
 * The caller's answer to the overflow offer (still in the waitUrl context): 1 keep waiting,
 * 2 leave a message (<Leave>: the Enqueue action then records it), 3 where else to turn.
 * `offeredAt` is the QueueTime when the offer was made (from the signed Gather action URL).
 */
export function queueChoiceTwiml(config: CompiledConfig, ctx: QueueContext, digits: string, offeredAt: number): string {
  const response = new VoiceResponse();
  const maxWait = ctx.queue?.maxWaitSeconds ?? 600;
  if (digits === '2') {
    response.leave();
    return response.toString();
  }
  if (digits === '3') speak(response, config.speech.utter(ctx.lang, 'queue.elsewhere'));
  // 1, 3 or anything else: keep waiting, without being asked again for maxWaitSeconds.
  response.redirect({ method: 'POST' }, waitUrl(ctx, { cycle: 1, quietUntil: offeredAt + maxWait }));
  return response.toString();
}

export type QueueOutcome = 'connected' | 'transferred' | 'gone' | 'redirected' | 'message' | 'unavailable' | 'error';

/** What a QueueResult (<Enqueue action>) or DialCallStatus (<Dial action>) means for the caller. */
export function queueOutcome(input: QueueResultInput): QueueOutcome {
  switch (input.queueResult ?? input.dialStatus) {
    case 'bridged':
    case 'bridging-in-process':
    case 'bridging-in-progress':
    case 'completed':
    case 'answered':
      return 'connected';
    case 'redirected-from-bridged':
      // An agent passed the caller on after talking to them: a connected call whose new
      // TwiML is already playing.
      return 'transferred';
    case 'hangup':
    case 'canceled':
      return 'gone';
    case 'redirected':
      return 'redirected';
    case 'leave':
      return 'message';
    case 'queue-full':
    case 'busy':
    case 'no-answer':
    case 'failed':
      return 'unavailable';
    default:
      // error, system-error, or nothing we know: treated as an error.
      return 'error';
  }
}

export interface DoneOptions {
  /** Record a <Dial> to the general line (the caller's granted consent is in the log). */
  recordDial: boolean;
}

/**
 * After the queue or dial ended. Connected → goodbye; the caller gone → hang up; left the
 * queue with 2 → record a message; the line busy, full or failing → the general line once
 * (when this was another line), else a message. Never a silent dead end for a caller still
 * on the line.
 */
export function queueDoneTwiml(config: CompiledConfig, ctx: QueueContext, input: QueueResultInput, opts: DoneOptions): string {
  const response = new VoiceResponse();
  const { speech } = config;
  const leaveMessage = () => {
    speak(response, speech.utter(ctx.lang, 'queue.message'));
    response.record({
      action: messageUrl(ctx),
      method: 'POST',
      maxLength: MESSAGE_MAX_SECONDS,
      timeout: 5,
      finishOnKey: '#',
      playBeep: true,
    });
    // Reached only when nothing was recorded (Twilio skips the action on silence).
    speak(response, speech.utter(ctx.lang, 'queue.goodbye'));
    response.hangup();
  };
  const outcome = queueOutcome(input);
  switch (outcome) {
    case 'connected':
      speak(response, speech.utter(ctx.lang, 'queue.goodbye'));
      response.hangup();
      break;
    case 'gone':
      response.hangup();
      break;
    case 'redirected':
    case 'transferred':
      // Moved out of the queue (REST API, or an agent's transfer): the new TwiML is already playing.
      break;
    case 'message':
      leaveMessage();
      break;
    case 'unavailable':
    case 'error': {
      const general = resolveQueue(config.bundle.queues, GENERAL_QUEUE);
      const onGeneral = ctx.route === GENERAL_QUEUE || ctx.queue?.id === GENERAL_QUEUE;
      if (!onGeneral) {
        speak(response, speech.utter(ctx.lang, outcome === 'error' ? 'error.apology' : 'queue.unavailable'));
        if (outcome !== 'error') speak(response, speech.utter(ctx.lang, 'connect.general'));
        const generalCtx: QueueContext = { ...ctx, route: GENERAL_QUEUE, queue: general };
        if (general?.dial) {
          const dial = response.dial({
            action: doneUrl(generalCtx),
            method: 'POST',
            ...(opts.recordDial ? { record: 'record-from-answer-dual' as const } : {}),
          });
          if (general.dial.startsWith('sip')) dial.sip(general.dial);
          else dial.number(general.dial);
        } else {
          response.enqueue(
            { action: doneUrl(generalCtx), method: 'POST', waitUrl: waitUrl(generalCtx), waitUrlMethod: 'POST' },
            general?.queue ?? FALLBACK_QUEUE,
          );
        }
      } else {
        speak(response, speech.utter(ctx.lang, 'queue.unavailable'));
        leaveMessage();
      }
      break;
    }
  }
  return response.toString();
}

/** The answer to the Enqueue/Dial action when no config is loaded at all. */
export function queueDoneWithoutConfig(input: QueueResultInput): 'empty' | 'hangup' | 'fallback' {
  const outcome = queueOutcome(input);
  if (outcome === 'transferred') return 'empty';
  return outcome === 'connected' || outcome === 'gone' || outcome === 'redirected' ? 'hangup' : 'fallback';
}
