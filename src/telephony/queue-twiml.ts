// TwiML while a caller waits in a queue (<Enqueue waitUrl>) and after the queue ends
// (<Enqueue action>): position, average wait, tips, and never waiting forever.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CompiledConfig } from '../call/compiled.js';
import type { ResolvedQueue } from './queues-schema.js';
import { speak } from './twiml.js';

export interface QueueContext {
  route: string;
  lang: string;
  queue: ResolvedQueue | undefined;
  base: string;
  version: string;
}

export interface QueueResultInput {
  queueResult?: string | undefined;
  dialStatus?: string | undefined;
}

/** Seconds between two hold announcements. */
export const HOLD_PAUSE_SECONDS = 20;
/** Tips change every this many seconds of waiting (stateless rotation from QueueTime). */
const TIP_PERIOD_SECONDS = 40;

const int = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number.parseInt(v, 10) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

function query(ctx: QueueContext): string {
  return new URLSearchParams({ v: ctx.version, route: ctx.route, l: ctx.lang }).toString();
}

export function holdTwiml(config: CompiledConfig, ctx: QueueContext, body: Record<string, unknown>): string {
  const { speech } = config;
  const response = new VoiceResponse();
  const position = int(body.QueuePosition);
  const waited = int(body.QueueTime) ?? 0;
  const avg = int(body.AvgQueueTime);
  const size = int(body.CurrentQueueSize);
  const maxWait = ctx.queue?.maxWaitSeconds ?? 600;
  const maxSize = ctx.queue?.maxSize ?? 50;

  if (waited >= maxWait || (size !== undefined && size > maxSize)) {
    const gather = response.gather({ numDigits: 1, timeout: 5, action: `${ctx.base}/voice/queue/choice?${query(ctx)}`, method: 'POST' });
    speak(gather, speech.utter(ctx.lang, 'queue.overflow'));
  } else {
    if (position !== undefined && position >= 1) speak(response, speech.utter(ctx.lang, 'queue.position', { count: position - 1 }));
    if (avg !== undefined) {
      const minutes = Math.round(avg / 60);
      speak(response, minutes < 1 ? speech.utter(ctx.lang, 'queue.wait_short') : speech.utter(ctx.lang, 'queue.wait', { count: minutes }));
    }
    const tips = ctx.queue?.tips === false ? [] : speech.list(ctx.lang, 'queue.tips');
    const tip = tips[Math.floor(waited / TIP_PERIOD_SECONDS) % Math.max(tips.length, 1)];
    if (tip !== undefined) speak(response, { ...speech.utter(ctx.lang, 'queue.tips'), text: tip, audio: undefined });
  }
  if (ctx.queue?.holdAudio) response.play({}, ctx.queue.holdAudio);
  else response.pause({ length: HOLD_PAUSE_SECONDS });
  return response.toString();
}

/** The caller's answer to the overflow offer: 1 keep waiting, 2 leave a message, 3 where else to turn. */
export function queueChoiceTwiml(config: CompiledConfig, ctx: QueueContext, digits: string): string {
  const response = new VoiceResponse();
  if (digits === '2') response.leave();
  else if (digits === '3') {
    speak(response, config.speech.utter(ctx.lang, 'declined.where'));
  }
  // 1 or anything else: keep waiting (Twilio fetches the waitUrl again).
  return response.toString();
}

export function queueDoneTwiml(config: CompiledConfig, ctx: QueueContext, input: QueueResultInput): string {
  const response = new VoiceResponse();
  const { speech } = config;
  const leaveMessage = () => {
    speak(response, speech.utter(ctx.lang, 'queue.message'));
    response.record({ action: `${ctx.base}/voice/queue/message?${query(ctx)}`, method: 'POST', maxLength: 120, finishOnKey: '#', playBeep: true });
    speak(response, speech.utter(ctx.lang, 'queue.thanks'));
    response.hangup();
  };
  const result = input.queueResult ?? input.dialStatus;
  switch (result) {
    case 'bridged':
    case 'completed':
    case 'answered':
      response.hangup();
      break;
    case 'hangup':
    case 'redirected':
    case 'canceled':
      break;
    case 'leave':
      leaveMessage();
      break;
    case 'queue-full':
    case 'busy':
    case 'no-answer':
    case 'failed':
      speak(response, speech.utter(ctx.lang, 'queue.unavailable'));
      leaveMessage();
      break;
    default: {
      // error, system-error or unknown: try the general queue once, else take a message.
      if (ctx.route !== 'general' && ctx.queue?.id !== 'general') {
        speak(response, speech.utter(ctx.lang, 'error.apology'));
        const general = config.bundle.queues.queues.general?.queue ?? 'ozp-general';
        const generalCtx = { ...ctx, route: 'general' };
        response.enqueue(
          { action: `${ctx.base}/voice/queue/done?${query(generalCtx)}&c=0`, method: 'POST', waitUrl: `${ctx.base}/voice/queue/wait?${query(generalCtx)}`, waitUrlMethod: 'POST' },
          general,
        );
      } else {
        speak(response, speech.utter(ctx.lang, 'queue.unavailable'));
        leaveMessage();
      }
    }
  }
  return response.toString();
}
