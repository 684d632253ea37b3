// The fields of Twilio's voice webhook bodies each route reads, as zod schemas. Only the menu
// turn's CallSid is required (without it nothing can be pinned: the apology and the general
// queue); every other field reads as "absent" when missing or garbage, so a hold, queue or
// status webhook always gets its answer.
import { z } from 'zod';
import { int } from '../telephony/callback-urls.js';

const SID = /^[A-Za-z0-9_-]{1,64}$/;

/** Text, or absent. */
const text = z.string().optional().catch(undefined);
/** A whole number Twilio sends as text (the first of repeated values), or absent. */
const count = z.unknown().optional().transform(int);
/** A CallSid we can log and key on, or absent. */
const sid = z.string().regex(SID).optional().catch(undefined);

/** The webhook body as a plain record (for the journey, which reads its own words). */
export const rawBody = z.record(z.string(), z.unknown()).catch({});

/** The menu turn and identification: who calls, and the key pressed. */
export const callParams = z.object({
  CallSid: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/),
  From: z.string().max(256).optional(),
  Digits: z.unknown().optional(),
});

/** A key pressed in a menu (checked by the turn itself: anything but one digit is "invalid"). */
export const digitsBody = callParams.pick({ Digits: true });

/** <Enqueue waitUrl>: what Twilio tells about the queue (kept as text; the hold document reads it). */
export const waitBody = z.object({
  QueuePosition: z.unknown().optional(),
  QueueTime: z.unknown().optional(),
  AvgQueueTime: z.unknown().optional(),
  CurrentQueueSize: z.unknown().optional(),
});

/** The overflow offer's Gather action. */
export const choiceBody = z.object({
  Digits: z
    .string()
    .catch('')
    .transform((d) => d.trim()),
  QueueTime: count,
});

/** <Enqueue action> / <Dial action>. */
export const doneBody = z.object({
  CallSid: sid,
  QueueResult: text,
  DialCallStatus: text,
  QueueTime: count,
  DialCallDuration: count,
});

/** <Record action> of a voice message. */
export const messageBody = z.object({
  CallSid: sid,
  RecordingSid: z.unknown().optional(),
  RecordingDuration: z.unknown().optional(),
});

/** The agent side's <Queue url>: the caller's CallSid. */
export const bridgedBody = z.object({ CallSid: sid });

/** The number's status callback. */
export const statusBody = z.object({
  CallSid: sid,
  CallStatus: z.string().catch('unknown'),
  CallDuration: count,
});

/** The fallback URL: Twilio's error code, logged as sent. */
export const fallbackBody = z.object({ ErrorCode: z.unknown().optional() });

/** Parses a body that cannot fail (every field has a fallback); a non-object reads as empty. */
export function readBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  return schema.parse(typeof body === 'object' && body !== null ? body : {});
}
