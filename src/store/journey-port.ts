// Journey events (what happened on each call) kept in the store the consent log uses.
import type { JourneyEvent } from '../report/journey.js';

export interface JourneyStore {
  readonly kind: string;
  /** Creates the table if missing; safe when several processes call it at the same moment. */
  migrate(): Promise<void>;
  /** Writes the events in one transaction, in the given order. */
  append(events: readonly JourneyEvent[]): Promise<void>;
  /**
   * Every event of the calls whose `start` event is in [from, to) (ISO instants), ordered by
   * (at, write order); `to` may be omitted for "until now".
   */
  callsStarted(from: string, to?: string): Promise<JourneyEvent[]>;
  /** Every event of one call, ordered by (at, write order). */
  call(callSid: string): Promise<JourneyEvent[]>;
  /** Deletes events older than `before` (ISO); returns how many. Never touches consents. */
  deleteBefore(before: string): Promise<number>;
  close(): Promise<void>;
}
