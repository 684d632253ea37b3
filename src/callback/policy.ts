// When and how callbacks are placed and retried. Pure: the clock, the config and the
// emergency closures are parameters.
import { scheduleStatus } from '../call/compiled.js';
import type { ConfigBundle } from '../config/bundle.js';
import type { EmergencyClosure } from '../hours/types.js';
import type { CallbackRequest, CallbackSettlement, ClaimQueue } from '../store/callback-port.js';
import { resolveQueue, type ResolvedCallback } from '../telephony/queues-schema.js';

/** A call still "calling" this long without any status is given up as an attempt. */
export const STALE_CALL_MINUTES = 30;

export function callbackSettings(bundle: ConfigBundle, queueId: string): ResolvedCallback | undefined {
  return resolveQueue(bundle.queues, queueId)?.callback;
}

/** Queues whose callbacks may be placed at `at`: enabled, and their schedule open (holidays and emergency closures included). */
export function openCallbackQueues(bundle: ConfigBundle, at: number, closures: readonly EmergencyClosure[]): ClaimQueue[] {
  const out: ClaimQueue[] = [];
  for (const id of Object.keys(bundle.queues.queues)) {
    const cb = callbackSettings(bundle, id);
    if (!cb?.enabled) continue;
    if (!scheduleStatus(bundle, cb.schedule, at, closures)?.status.open) continue;
    out.push({ queue: id, concurrent: cb.concurrent, maxAttempts: cb.maxAttempts });
  }
  return out;
}

/** Whether callbacks of a queue can be placed now, or from when (null: no opening known). */
export function placementWindow(bundle: ConfigBundle, queueId: string, at: number, closures: readonly EmergencyClosure[]) {
  const cb = callbackSettings(bundle, queueId);
  const found = cb ? scheduleStatus(bundle, cb.schedule, at, closures) : undefined;
  if (!found) return { open: false as const, nextOpening: null, timezone: 'Europe/Prague' };
  const { status, schedule } = found;
  return status.open
    ? { open: true as const, timezone: schedule.timezone }
    : { open: false as const, nextOpening: status.nextOpening, timezone: schedule.timezone };
}

/** The end of an attempt that did not reach the caller: a later retry, or failed after maxAttempts. */
export function retrySettlement(
  request: Pick<CallbackRequest, 'attempts'>,
  settings: Pick<ResolvedCallback, 'maxAttempts' | 'retryMinutes'>,
  at: number,
): CallbackSettlement {
  if (request.attempts >= settings.maxAttempts) return { status: 'failed' };
  return { status: 'pending', nextAttemptAt: new Date(at + settings.retryMinutes * 60_000).toISOString() };
}

/** Twilio's AnsweredBy for anything but a person (machine_start, machine_end_beep, …, fax). */
export function answeredByMachine(answeredBy: unknown): boolean {
  return typeof answeredBy === 'string' && (answeredBy.startsWith('machine') || answeredBy === 'fax');
}

/** Final CallStatus values of the outbound call. */
export const FINAL_OUTBOUND_STATUSES = new Set(['completed', 'no-answer', 'busy', 'failed', 'canceled']);
