// The whole-line emergency closure: a closure stored under the reserved schedule id `line`
// closes the entire infoline. Every new call then hears the reason, where else to turn and a
// goodbye. It ends by itself: `until` is compared with the request's clock (no timers).
import type { EmergencyClosure } from '../hours/types.js';
import { activeClosure } from './compiled.js';

/** Reserved closure id for the whole line; config/hours.yaml may not name a schedule so. */
export const LINE_CLOSURE_ID = 'line';

/** The whole-line closure in force at `at`, if any. */
export function activeLineClosure(closures: readonly EmergencyClosure[], at: number): EmergencyClosure | undefined {
  return activeClosure(closures, LINE_CLOSURE_ID, at);
}
