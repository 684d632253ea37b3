// The main thread's side of the config worker (parse-worker.ts): one long-lived worker thread,
// requests answered in order; a request that takes too long ends the worker (a new one is
// started for the next request) and is refused.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './load.js';
import type { BundleResult } from './bundle.js';

export type WorkerRequest =
  { id: number; kind: 'dir'; dir: string; lastHash: string | undefined } | { id: number; kind: 'files'; files: [string, string][] };

export type WorkerReply =
  | { id: number; kind: 'unchanged'; hash: string }
  | { id: number; kind: 'built'; hash: string; files: [string, string][]; result: BundleResult }
  | { id: number; kind: 'failed'; message: string };

type Pending = { resolve(reply: WorkerReply): void; reject(err: Error): void; timer: NodeJS.Timeout };

/** Distributive Omit: keeps each request kind's own fields. */
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

export class ConfigWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly timeoutMs = 60_000) {}

  request(body: RequestBody): Promise<WorkerReply> {
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`reading the configuration took longer than ${this.timeoutMs / 1000} s`));
        this.stop();
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  stop(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('config worker stopped'));
      this.pending.delete(id);
    }
    void worker?.terminate();
  }

  private spawn(): Worker {
    const worker = startWorker();
    worker.unref(); // never keeps the process alive
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      p.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(err);
        this.pending.delete(id);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`config worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** Compiled JavaScript runs parse-worker.js; from TypeScript sources (tests, tsx) tsx loads the .ts. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = new URL('./parse-worker.ts', here).href;
    return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); });`, {
      eval: true,
    });
  }
  // From dist/ (tsc's output, beside this file) or from the bundled server, whose chunks are elsewhere.
  const beside = new URL('./parse-worker.js', here);
  return new Worker(existsSync(beside) ? beside : join(packageRoot(), 'dist', 'config', 'parse-worker.js'));
}
