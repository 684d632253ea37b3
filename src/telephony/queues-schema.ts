// Schema of config/queues.yaml: where each route connects.
import { z } from 'zod';
import { ownValue } from '../util/own.js';

const e164OrSip = z.string().regex(/^(\+[1-9]\d{6,14}|sips?:[^\s@]+@[^\s]+)$/, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a phone number in +E.164 form or a sip: URI`,
});

/** Callback instead of waiting (issue 14): under `defaults` or one queue; a queue's keys win. */
const callbackSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** Hold time (QueueTime, s) before the offer. */
  offerAfterSeconds: z.number().int().min(0).max(3600).optional(),
  /** Schedule id of config/hours.yaml: callbacks are placed only while it is open. */
  schedule: z.string().min(1).optional(),
  maxAttempts: z.number().int().min(1).max(10).optional(),
  retryMinutes: z.number().int().min(1).max(1440).optional(),
  /** Callbacks in progress at once for this queue (all instances together). */
  concurrent: z.number().int().min(1).max(100).optional(),
});

const limits = {
  maxSize: z.number().int().min(1).max(1000).optional(),
  maxWaitSeconds: z.number().int().min(30).max(3600).optional(),
  holdAudio: z.url({ protocol: /^https?$/, error: (iss) => `${JSON.stringify(iss.input)} is not an http(s) URL` }).optional(),
  tips: z.boolean().optional(),
  callback: callbackSchema.optional(),
};

const targetSchema = z
  .strictObject({
    /** Twilio queue name for <Enqueue>. */
    queue: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a queue name (letters, digits, . _ -)` })
      .optional(),
    /** Number or SIP URI for <Dial>. */
    dial: e164OrSip.optional(),
    /** TaskRouter workflow for <Enqueue workflowSid> (the agent side gets the task attributes). */
    workflowSid: z
      .string()
      .regex(/^WW[0-9a-fA-F]{32}$/, {
        error: (iss) => `${JSON.stringify(iss.input)} is not a TaskRouter workflow SID (WW followed by 32 hex digits)`,
      })
      .optional(),
    ...limits,
  })
  .superRefine((t, ctx) => {
    if (t.workflowSid !== undefined && t.dial !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'workflowSid needs a Twilio queue (queue:), not a dial target', path: ['workflowSid'] });
    }
    if (t.queue !== undefined && t.dial !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'has both queue and dial; a target is either a Twilio queue or a number to dial, keep one' });
    } else if (t.queue === undefined && t.dial === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs queue: <Twilio queue name> or dial: <+E.164 number or sip: URI>' });
    }
  });

export const queuesFileSchema = z.strictObject({
  defaults: z
    .strictObject({
      ...limits,
      /** Report: calls answered within this many seconds count towards the service level. */
      serviceLevelSeconds: z.number().int().min(1).max(3600).optional(),
    })
    .default({}),
  queues: z.record(
    z
      .string()
      .regex(/^[a-z][a-z0-9_-]*$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a queue id (lowercase letters, digits, _ -)` }),
    targetSchema,
  ),
});

export type QueuesFile = z.infer<typeof queuesFileSchema>;
export type QueueTarget = z.infer<typeof targetSchema>;

export interface ResolvedQueue {
  id: string;
  queue?: string | undefined;
  dial?: string | undefined;
  workflowSid?: string | undefined;
  maxSize: number;
  maxWaitSeconds: number;
  holdAudio?: string | undefined;
  tips: boolean;
  callback: ResolvedCallback;
}

export interface ResolvedCallback {
  enabled: boolean;
  offerAfterSeconds: number;
  schedule: string;
  maxAttempts: number;
  retryMinutes: number;
  concurrent: number;
}

/** The queue a person answers when nothing else fits (menu exhausted, malformed request, closed team). */
export const GENERAL_QUEUE = 'general';

export const CALLBACK_DEFAULTS: ResolvedCallback = {
  enabled: false,
  offerAfterSeconds: 120,
  schedule: 'callbacks',
  maxAttempts: 3,
  retryMinutes: 30,
  concurrent: 2,
};

/** The queue `id`, or the general queue when the config has no such queue (it changed since). */
export function resolveQueueOrGeneral(file: QueuesFile, id: string): ResolvedQueue | undefined {
  return resolveQueue(file, id) ?? resolveQueue(file, GENERAL_QUEUE);
}

export function resolveQueue(file: QueuesFile, id: string): ResolvedQueue | undefined {
  const t = ownValue(file.queues, id);
  if (!t) return undefined;
  return {
    id,
    queue: t.queue,
    dial: t.dial,
    workflowSid: t.workflowSid,
    maxSize: t.maxSize ?? file.defaults.maxSize ?? 50,
    maxWaitSeconds: t.maxWaitSeconds ?? file.defaults.maxWaitSeconds ?? 600,
    holdAudio: t.holdAudio ?? file.defaults.holdAudio,
    tips: t.tips ?? file.defaults.tips ?? true,
    callback: { ...CALLBACK_DEFAULTS, ...file.defaults.callback, ...t.callback },
  };
}
