// What every command needs from the outside world, passed in so that commands can be run
// in-process by tests: output streams, the environment and the clock (read here, at the edge).
import type { RawEnv } from '../config/env.js';
import type { StoreLogger } from '../store/shared.js';

export interface CliIo {
  /** Results only (what a supervisor redirects into a file). */
  out(text: string): void;
  /** Diagnostics, warnings, logs. */
  err(text: string): void;
  /** The raw variables, read once by the entry (src/cli/main.ts); commands parse what they use with src/config/env.ts. */
  env: RawEnv;
  /** The system clock, ms since the epoch. */
  now(): number;
}

export function processIo(env: RawEnv): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env,
    now: () => Date.now(),
  };
}

/** An error meant for the user: printed as `infoline: <message>`, exit code 1 (2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];

/** Plain one-line logs on stderr; LOG_LEVEL (default warn) decides what is shown. */
export function cliLogger(io: CliIo): StoreLogger {
  const raw = (io.env.LOG_LEVEL ?? '').trim().toLowerCase();
  const min: Level = (LEVELS as readonly string[]).includes(raw)
    ? (raw as Level)
    : raw === 'trace'
      ? 'debug'
      : raw === 'fatal'
        ? 'error'
        : 'warn';
  const enabled = (level: Level) => LEVELS.indexOf(level) >= LEVELS.indexOf(min);
  const line = (level: Level) => (obj: object, msg?: string) => {
    if (!enabled(level)) return;
    const details = Object.entries(obj)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v)}`)
      .join(' ');
    io.err(`infoline: ${level}: ${msg ?? ''}${details ? ` (${details})` : ''}\n`);
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.message;
  return String(err);
}
