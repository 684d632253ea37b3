// Flow actions → TwiML, with twilio's own VoiceResponse builder.
// Everything the caller hears before a menu goes inside its <Gather>, so a key press
// interrupts any prompt (barge-in).
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CallState, FlowAction } from '../flow/machine.js';
import { defaultVoice } from '../speech/schema.js';
import type { Utterance } from '../speech/speech.js';
import { appendIdentifyQuestion } from './identify-twiml.js';
import { GENERAL_QUEUE, type ResolvedQueue } from './queues-schema.js';

/** Seconds of silence after a menu before it counts as "no input". */
export const GATHER_TIMEOUT_SECONDS = 7;

export interface CallbackUrls {
  /** The public base every URL starts with (part of the cache key of rendered answers). */
  readonly base: string;
  /** Gather action for a menu (the caller's key arrives as Digits). */
  menu(state: CallState): string;
  /** Where Twilio goes when the caller pressed nothing. */
  noInput(state: CallState): string;
  /** <Enqueue waitUrl>: hold announcements. */
  queueWait(route: string, lang: string): string;
  /** <Enqueue action> / <Dial action>: what happens after the queue or dial ends. */
  queueDone(route: string, lang: string, consent: boolean): string;
  /** The identification dialogue's first question for a route (no number yet: nothing sealed). */
  identify(route: string, lang: string): string;
}

export interface RenderContext {
  /** Text (or audio) for every spoken action, already resolved by the caller. */
  utter(lang: string, key: string, vars?: Record<string, unknown>): Utterance;
  /** Utterances for a `say` with a schedule (closed-hours texts need the clock). */
  sayTexts(action: Extract<FlowAction, { type: 'say' }>): Utterance[];
  queue(queueId: string): ResolvedQueue | undefined;
  urls: CallbackUrls;
  /** The state the call is in after this step (for the Gather's action URL). */
  state: CallState;
  /** Record the operator leg (<Dial record>) for calls with a granted consent. */
  recordDial: boolean;
  /** TaskRouter task attributes (JSON) for a queue with a workflowSid (identified calls). */
  task?: string | undefined;
}

type Container = {
  say(attrs: object, text?: string): { prosody(attrs: object, text: string): unknown };
  play(attrs: object, url: string): unknown;
};

/** Every <Say> names its language and a voice that speaks it (Twilio's default voices speak no Czech). */
export function speak(target: Container, u: Utterance): void {
  if (u.audio) {
    target.play({}, u.audio);
    return;
  }
  const attrs = { language: u.language, voice: u.voice ?? defaultVoice(u.language) };
  if (u.rate === undefined) target.say(attrs, u.text);
  else target.say(attrs).prosody({ rate: u.rate }, u.text);
}

export function renderActions(actions: readonly FlowAction[], ctx: RenderContext): string {
  const response = new VoiceResponse();
  let pending: Utterance[] = [];
  const flush = (target: Container) => {
    for (const u of pending) speak(target, u);
    pending = [];
  };
  for (const action of actions) {
    switch (action.type) {
      case 'say':
        pending.push(...ctx.sayTexts(action));
        break;
      case 'menuFailure':
        pending.push(ctx.utter(action.lang, action.failure === 'invalid' ? 'menu.invalid' : 'menu.noInput'));
        break;
      case 'gather': {
        const gather = response.gather({
          input: ['dtmf'],
          numDigits: 1,
          // `#` is a key like any other (Twilio would otherwise take it as "done" and send no Digits).
          finishOnKey: '',
          timeout: action.timeout ?? GATHER_TIMEOUT_SECONDS,
          action: ctx.urls.menu(ctx.state),
          method: 'POST',
        });
        flush(gather);
        for (const key of action.keys) speak(gather, ctx.utter(action.lang, key));
        response.redirect({ method: 'POST' }, ctx.urls.noInput(ctx.state));
        break;
      }
      case 'recordConsent':
        break;
      case 'identify': {
        const url = ctx.urls.identify(action.node, action.lang);
        appendIdentifyQuestion(response, {
          action: url,
          noInput: `${url}&e=noinput`,
          singleKey: false,
          utterances: [...pending, ctx.utter(action.lang, 'identify.ask')],
        });
        pending = [];
        break;
      }
      case 'connect': {
        pending.push(ctx.utter(action.lang, action.consent ? 'connect.operator' : 'connect.general'));
        flush(response);
        connect(response, ctx, action.queue, action.node, action.lang, action.consent);
        break;
      }
      case 'hangup':
        flush(response);
        response.hangup();
        break;
    }
  }
  flush(response);
  return response.toString();
}

function connect(response: VoiceResponse, ctx: RenderContext, queueId: string, route: string, lang: string, consent: boolean): void {
  const target = ctx.queue(queueId) ?? ctx.queue(GENERAL_QUEUE);
  if (target?.dial) {
    const dial = response.dial({
      action: ctx.urls.queueDone(route, lang, consent),
      method: 'POST',
      ...(consent && ctx.recordDial ? { record: 'record-from-answer-dual' as const } : {}),
    });
    if (target.dial.startsWith('sip')) dial.sip(target.dial);
    else dial.number(target.dial);
    return;
  }
  const attrs = {
    action: ctx.urls.queueDone(route, lang, consent),
    method: 'POST',
    waitUrl: ctx.urls.queueWait(route, lang),
    waitUrlMethod: 'POST',
  } as const;
  if (target?.workflowSid !== undefined) {
    // TaskRouter: the workflow picks the agent; the task attributes reach only the agent side.
    response.enqueue({ ...attrs, workflowSid: target.workflowSid }).task({}, ctx.task ?? '{}');
    return;
  }
  response.enqueue(attrs, target?.queue ?? FALLBACK_QUEUE);
}

/** The general queue's Twilio name when nothing else is known (fallback route, broken config). */
export const FALLBACK_QUEUE = 'ozp-general';

/** The shipped Czech voice: the fallback speaks with it when no prompt file can be read. */
export const FALLBACK_VOICE = 'Google.cs-CZ-Wavenet-A';

const FALLBACK_APOLOGY: Utterance = {
  text: 'Omlouváme se, došlo k technické chybě. Spojujeme Vás s operátorem.',
  language: 'cs-CZ',
  voice: FALLBACK_VOICE,
};

/** Where the fallback puts the caller: a Twilio queue, or a number / SIP URI to dial. */
export type FallbackTarget = { queue: string } | { dial: string };

/**
 * The answer when anything goes wrong: an apology and the general line. Depends on no
 * config and no database, so it works when nothing else does; it has no callback URL, so it
 * also works from a static host while our service is down.
 */
export function fallbackTwiml(apology: Utterance = FALLBACK_APOLOGY, target: FallbackTarget = { queue: FALLBACK_QUEUE }): string {
  const response = new VoiceResponse();
  speak(response, apology);
  if ('dial' in target) {
    const dial = response.dial({});
    if (target.dial.startsWith('sip')) dial.sip(target.dial);
    else dial.number(target.dial);
  } else {
    response.enqueue({}, target.queue);
  }
  return response.toString();
}
