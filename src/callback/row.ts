// A callback request as supervisors see it (CLI, console): the number masked, a call in
// progress still "pending", no next attempt once closed. Pure.
import { maskCaller } from '../consent/record.js';
import type { CallbackRequest, CallbackStatus } from '../store/callback-port.js';

export interface CallbackRow {
  id: string;
  requestedAt: string;
  queue: string;
  /** Masked. */
  number: string;
  /** A request being called now is still pending. */
  status: Exclude<CallbackStatus, 'calling'>;
  attempts: number;
  nextAttemptAt: string | null;
}

/** The columns, in the CLI's CSV order. */
export const CALLBACK_FIELDS = [
  'id',
  'requestedAt',
  'queue',
  'number',
  'status',
  'attempts',
  'nextAttemptAt',
] as const satisfies readonly (keyof CallbackRow)[];

export function callbackRow(r: CallbackRequest): CallbackRow {
  const open = r.status === 'pending' || r.status === 'calling';
  return {
    id: r.id,
    requestedAt: r.requestedAt,
    queue: r.queue,
    // Closed rows are stored masked already; open ones hold the full number.
    number: r.number.includes('*') ? r.number : maskCaller(r.number),
    status: r.status === 'calling' ? 'pending' : r.status,
    attempts: r.attempts,
    nextAttemptAt: open ? r.nextAttemptAt : null,
  };
}
