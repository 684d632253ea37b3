// A small concurrency gate: scrypt password checks (≈128 MiB, ≈0.3 s of a libuv thread each)
// run at most a few at once, so sign-ins can never starve the voice routes.
export const BUSY = Symbol('busy');

/** At most `max` tasks at once, `queue` more waiting; beyond that, BUSY at once. */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly queue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T | typeof BUSY> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.queue) return BUSY;
      await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
