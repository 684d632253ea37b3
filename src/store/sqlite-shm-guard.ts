// SQLite in WAL mode maps `<db>-shm` into memory. If that file is truncated, replaced or
// made read-only while the process runs, the next access to the mapping kills the process
// with SIGBUS, which no JavaScript can catch: every caller on that instance would be cut off.
// So every use of the database first checks the file (a stat and an access check, a few µs)
// and refuses with an error instead; the voice routes then connect callers without the
// database (a person still answers) and /readyz reports the reason. Once tripped the guard
// stays tripped: the mapping is unusable until the process restarts.
import { accessSync, constants, statSync } from 'node:fs';
import type Database from 'better-sqlite3';

export class SharedMemoryFileError extends Error {
  readonly code = 'SQLITE_SHM_UNSAFE';
}

class ShmGuard {
  private seen: { ino: number; size: number } | undefined;
  private broken: string | undefined;

  constructor(private readonly shmPath: string) {}

  get tripped(): boolean {
    return this.broken !== undefined;
  }

  check(): void {
    if (this.broken === undefined) this.broken = this.problem();
    if (this.broken !== undefined) {
      throw new SharedMemoryFileError(
        `${this.shmPath} ${this.broken}; the database is not touched until the service restarts (a touch would crash it with SIGBUS)`,
      );
    }
  }

  private problem(): string | undefined {
    let st;
    try {
      st = statSync(this.shmPath);
    } catch {
      return this.seen ? 'was removed while in use' : undefined;
    }
    try {
      accessSync(this.shmPath, constants.W_OK);
    } catch {
      return 'became read-only while in use';
    }
    if (this.seen && st.ino !== this.seen.ino) return 'was replaced while in use';
    if (this.seen && st.size < this.seen.size) return `shrank from ${this.seen.size} to ${st.size} bytes while in use`;
    this.seen = { ino: st.ino, size: Math.max(st.size, this.seen?.size ?? 0) };
    return undefined;
  }
}

const GUARDED_DB = new Set(['prepare', 'exec', 'pragma', 'transaction', 'backup', 'serialize', 'function', 'aggregate', 'table']);
const GUARDED_STATEMENT = new Set(['run', 'get', 'all', 'iterate']);

function guardFunction<F extends (...args: never[]) => unknown>(
  fn: F,
  self: object,
  guard: ShmGuard,
  wrapResult?: (r: unknown) => unknown,
): F {
  return ((...args: never[]) => {
    guard.check();
    const result = fn.apply(self, args);
    return wrapResult ? wrapResult(result) : result;
  }) as F;
}

/**
 * A proxy whose methods are wrapped (or bound) once per name, not on every access: the hot path
 * reads `stmt.run` on every request, and a fresh closure each time cost more than the check.
 */
function methodCache(wrap: (prop: string | symbol, fn: (...a: never[]) => unknown) => unknown): ProxyHandler<object> {
  const cache = new Map<string | symbol, { fn: unknown; wrapped: unknown }>();
  return {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof value !== 'function') return value;
      const hit = cache.get(prop);
      if (hit !== undefined && hit.fn === value) return hit.wrapped;
      const wrapped = wrap(prop, value as (...a: never[]) => unknown);
      cache.set(prop, { fn: value, wrapped });
      return wrapped;
    },
  };
}

function guardStatement(stmt: object, guard: ShmGuard): object {
  return new Proxy(
    stmt,
    methodCache((prop, fn) =>
      typeof prop === 'string' && GUARDED_STATEMENT.has(prop) ? guardFunction(fn, stmt, guard) : fn.bind(stmt as never),
    ),
  );
}

type Tx = ((...a: never[]) => unknown) & Record<'deferred' | 'immediate' | 'exclusive', (...a: never[]) => unknown>;

/** A transaction function and its .deferred/.immediate/.exclusive variants, each guarded. */
function guardTransaction(tx: Tx, guard: ShmGuard): Tx {
  const wrapped = guardFunction(tx, tx, guard) as Tx;
  for (const kind of ['deferred', 'immediate', 'exclusive'] as const) wrapped[kind] = guardFunction(tx[kind], tx, guard);
  return wrapped;
}

const guards = new WeakMap<object, ShmGuard>();

/**
 * Checks the `-shm` file of a guarded database without touching the database: for a worker
 * thread's connection to the same file (a SIGBUS there kills the process just the same).
 */
export function checkSharedMemory(db: object): void {
  guards.get(db)?.check();
}

/** The database behind a guard of its `-shm` file (no-op for in-memory databases). */
export function guardSharedMemory(db: Database.Database, path: string): Database.Database {
  if (path === '' || path === ':memory:') return db;
  // No memory map of the database file itself either: a truncated file would SIGBUS there too.
  db.pragma('mmap_size = 0');
  const guard = new ShmGuard(`${path}-shm`);
  guard.check();
  const guarded = new Proxy(
    db,
    methodCache((prop, fn) => {
      // Closing checkpoints through the mapping: with a broken file, leave it to process exit.
      if (prop === 'close') return () => (guard.tripped ? db : db.close());
      if (typeof prop !== 'string' || !GUARDED_DB.has(prop)) return fn.bind(db as never);
      const wrap =
        prop === 'prepare'
          ? (st: unknown) => guardStatement(st as object, guard)
          : prop === 'transaction'
            ? (tx: unknown) => guardTransaction(tx as Tx, guard)
            : undefined;
      return guardFunction(fn, db, guard, wrap);
    }),
  ) as Database.Database;
  guards.set(guarded, guard);
  return guarded;
}
