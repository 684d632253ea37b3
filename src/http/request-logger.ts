// A request's logger without a pino child per request. Fastify makes one child logger per
// request (bindings serialised at creation, level set) even when the request logs once; here a
// request gets a small object that adds its bindings (reqId, later callSid) to the lines it
// actually writes, through the one root logger. A real child is made only when asked for.
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export class RequestLogger implements FastifyBaseLogger {
  /** Added to every line this request writes. */
  bindings: Bindings;
  private ownLevel: string | undefined;

  constructor(
    private readonly root: Logger,
    bindings: Bindings,
  ) {
    this.bindings = bindings;
  }

  /** Adds a binding (e.g. the CallSid once the body is parsed) to the following lines. */
  bind(extra: Bindings): void {
    this.bindings = { ...this.bindings, ...extra };
  }

  get level(): string {
    return this.ownLevel ?? this.root.level;
  }

  set level(value: string) {
    this.ownLevel = value;
  }

  // Methods on the prototype, not closures per instance: a request's logger costs one object.
  fatal(first: unknown, ...rest: unknown[]): void {
    this.write('fatal', first, rest);
  }
  error(first: unknown, ...rest: unknown[]): void {
    this.write('error', first, rest);
  }
  warn(first: unknown, ...rest: unknown[]): void {
    this.write('warn', first, rest);
  }
  info(first: unknown, ...rest: unknown[]): void {
    this.write('info', first, rest);
  }
  debug(first: unknown, ...rest: unknown[]): void {
    this.write('debug', first, rest);
  }
  trace(first: unknown, ...rest: unknown[]): void {
    this.write('trace', first, rest);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.root.child({ ...this.bindings, ...bindings }, options);
  }

  /** pino's call shapes: (obj, msg?, ...args), (error, msg?, ...args), (msg, ...args). */
  private write(level: Level, first: unknown, rest: unknown[]): void {
    if (this.ownLevel !== undefined && !this.enabled(level)) return;
    if (!this.root.isLevelEnabled(level)) return;
    const write = this.root[level] as (this: Logger, obj: object, ...args: unknown[]) => void;
    if (first instanceof Error) write.call(this.root, { ...this.bindings, err: first }, ...rest);
    else if (typeof first === 'object' && first !== null) write.call(this.root, { ...this.bindings, ...first }, ...rest);
    else write.call(this.root, this.bindings, first, ...rest);
  }

  private enabled(level: Level): boolean {
    const values = this.root.levels.values;
    return (values[level] ?? 0) >= (values[this.ownLevel ?? 'info'] ?? 0);
  }
}

/** Fastify's `childLoggerFactory`: one RequestLogger per request instead of a pino child. */
export function requestLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings): FastifyBaseLogger {
  // Without a pino logger (logging off: Fastify's null logger) there is nothing to wrap.
  if (typeof (logger as Partial<Logger>).isLevelEnabled !== 'function') return logger.child(bindings);
  return new RequestLogger(logger as Logger, bindings);
}
