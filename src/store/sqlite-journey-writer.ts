// Writes journey rows to SQLite from a worker thread: better-sqlite3 is synchronous, so on the
// main thread every batch would stall the event loop (and so the callers' answers) for its
// inserts. The main thread only hands over plain arrays; the worker owns one connection.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { JourneyEvent } from '../report/journey.js';

/** One event inside a step: node, kind, queue, detail, seconds. */
export type PackedEvent = [string, JourneyEvent['kind'], string | null, string | null, number | null];
/** One webhook step in column order: h (CallSid hash), call_sid, at, starts (0/1), n (events), events (JSON of PackedEvent[]). */
export type JourneyStepRow = [number, string, string, number, number, string];

// Plain CommonJS (eval: true): runs the same from the TypeScript sources (tests) and dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const COLUMNS = 'h, call_sid, at, starts, n, events';
const CHUNK = 50;
const one = db.prepare('INSERT INTO journey_steps (' + COLUMNS + ') VALUES (?, ?, ?, ?, ?, ?)');
const many = db.prepare('INSERT INTO journey_steps (' + COLUMNS + ') VALUES ' + Array.from({ length: CHUNK }, () => '(?, ?, ?, ?, ?, ?)').join(', '));
const write = db.transaction((rows) => {
  let i = 0;
  for (; i + CHUNK <= rows.length; i += CHUNK) many.run(rows.slice(i, i + CHUNK).flat());
  for (; i < rows.length; i++) one.run(rows[i]);
});
parentPort.on('message', (m) => {
  if (m.close) { db.close(); parentPort.close(); return; }
  try { write(m.rows); parentPort.postMessage({ id: m.id }); }
  catch (err) { parentPort.postMessage({ id: m.id, error: String(err && err.message || err) }); }
});
`;

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

export class SqliteJourneyWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Set<Promise<void>>();
  private seq = 0;

  constructor(private readonly path: string) {}

  /** Resolves once the rows are committed (in one transaction, in order). */
  write(rows: JourneyStepRow[]): Promise<void> {
    const worker = this.start();
    const id = ++this.seq;
    const done = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // kept alive while a write is in flight
      worker.postMessage({ id, rows });
    });
    this.inflight.add(done);
    const forget = () => this.inflight.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** Lets the writes in flight finish, then stops the worker. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ close: true });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: this.path } });
    worker.unref();
    worker.on('message', (m: { id: number; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.error === undefined) p.resolve();
      else p.reject(new Error(m.error));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`journey writer exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
