// Runs a SQLite adapter's inserts on a worker thread. better-sqlite3 is synchronous: on the main
// thread every commit would stall the event loop, and so every caller's answer, for its inserts
// and, with synchronous=FULL, for the fsync (about 0.5 ms here). The main thread hands over plain
// arrays and goes on answering; the worker owns one connection and commits each batch in one
// transaction, in order. A batch resolves only once it is committed.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { checkSharedMemory } from './sqlite-shm-guard.js';

export interface WorkerStatement {
  /** The INSERT with one `(?, …)` group; `{values}` is replaced by that group (repeated for chunks). */
  sql: string;
  /** Parameters per row. */
  columns: number;
  /**
   * Rows per multi-row INSERT (fewer statement runs for large batches). Without it every row
   * runs alone and the batch answers each row's `changes`.
   */
  chunk?: number;
}

export interface SqliteWriteWorkerOptions {
  path: string;
  /** SQLite `synchronous` for this connection: FULL for evidence, NORMAL for statistics. */
  synchronous: 'FULL' | 'NORMAL';
  statements: Readonly<Record<string, WorkerStatement>>;
  /** Names the thread in errors ("consent writer exited (1)"). */
  name: string;
  /**
   * The adapter's own (guarded) connection to the same file: its `-shm` check runs before every
   * batch, since a SIGBUS in the worker's mapping kills the process just the same.
   */
  guarded: object;
}

// Plain CommonJS (eval: true): runs the same from the TypeScript sources (tests) and dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('mmap_size = 0');
db.pragma('synchronous = ' + workerData.synchronous);
// Appends touch the last pages of a table and its indexes: a small page cache is enough.
db.pragma('cache_size = -512');
const group = (n) => '(' + Array.from({ length: n }, () => '?').join(', ') + ')';
const statements = {};
for (const [name, s] of Object.entries(workerData.statements)) {
  const one = db.prepare(s.sql.replace('{values}', group(s.columns)));
  const many = s.chunk ? db.prepare(s.sql.replace('{values}', Array.from({ length: s.chunk }, () => group(s.columns)).join(', '))) : undefined;
  statements[name] = { one, many, chunk: s.chunk };
}
const write = db.transaction((name, rows) => {
  const s = statements[name];
  if (s.many) {
    let i = 0;
    for (; i + s.chunk <= rows.length; i += s.chunk) s.many.run(rows.slice(i, i + s.chunk).flat());
    for (; i < rows.length; i++) s.one.run(rows[i]);
    return [];
  }
  return rows.map((row) => s.one.run(row).changes);
});
parentPort.on('message', (m) => {
  if (m.close) { db.close(); parentPort.close(); return; }
  try { parentPort.postMessage({ id: m.id, changes: write.immediate(m.statement, m.rows) }); }
  catch (err) { parentPort.postMessage({ id: m.id, error: String(err && err.message || err) }); }
});
`;

/** A batch is at most a few hundred rows (well under a megabyte): ample room, and a bound. */
const WORKER_OLD_SPACE_MB = 32;
const WORKER_YOUNG_SPACE_MB = 4;

interface Pending {
  resolve(changes: number[]): void;
  reject(err: Error): void;
}

export class SqliteWriteWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Set<Promise<number[]>>();
  private seq = 0;

  constructor(private readonly opts: SqliteWriteWorkerOptions) {}

  /** Commits the rows in one transaction; resolves with each row's `changes` (none for chunked statements). */
  write(statement: string, rows: readonly (readonly unknown[])[]): Promise<number[]> {
    try {
      checkSharedMemory(this.opts.guarded);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const worker = this.start();
    const id = ++this.seq;
    const done = new Promise<number[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // kept alive while a write is in flight
      worker.postMessage({ id, statement, rows });
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
      // Referenced until it has exited: otherwise a process with nothing else to do would end
      // before the worker's 'exit', leaving close() unsettled.
      worker.ref();
      worker.postMessage({ close: true });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const { path, synchronous, statements, name } = this.opts;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path, synchronous, statements },
      // The worker holds one batch at a time: a small heap makes it collect often instead of
      // growing by every batch's cloned rows until a late major GC (RSS the service never uses).
      resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_SPACE_MB },
    });
    worker.unref();
    worker.on('message', (m: { id: number; changes?: number[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.error === undefined) p.resolve(m.changes ?? []);
      else p.reject(new Error(m.error));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${name} exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
