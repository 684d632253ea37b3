// The CLI's reading of typed times: src/hours/time-input.ts, with a wrong value as a usage
// error (exit code 2).
import { LINE_ZONE, parseInstant as parseInstantInput, parseUntil as parseUntilInput, TimeInputError } from '../hours/time-input.js';
import { UsageError } from './io.js';

export { localText, parseDuration } from '../hours/time-input.js';

/** Zone-less times on the command line are read in this zone (the infoline's). */
export const CLI_ZONE = LINE_ZONE;

function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof TimeInputError) throw new UsageError(err.message);
    throw err;
  }
}

/** Parses an ISO date/time; without Z or an offset it is local time in Europe/Prague. */
export function parseInstant(value: string, option: string): number {
  return usage(() => parseInstantInput(value, option));
}

/** `--until`: an ISO time or a duration from now. */
export function parseUntil(value: string, now: number): number {
  return usage(() => parseUntilInput(value, now));
}
