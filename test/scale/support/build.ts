// Builds the server once for the scale tests: `dist/server.js` and `dist/cli/main.js`
// compiled with the build settings (test/scale/tsconfig.server.json extends tsconfig.build.json). Test files run in
// parallel forks, so the build is serialised with a lock directory, and skipped when a
// previous build is newer than every source file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SERVER_JS = join(ROOT, 'dist', 'server.js');
export const CLI_JS = join(ROOT, 'dist', 'cli', 'main.js');

const CACHE = join(ROOT, 'node_modules', '.cache');
const LOCK = join(CACHE, 'infoline-scale-build.lock');
const STAMP = join(CACHE, 'infoline-scale-build.stamp');
const TSCONFIG = join(ROOT, 'test', 'scale', 'tsconfig.server.json');
const LOCK_STALE_MS = 120_000;

function newestSourceMtime(): number {
  let newest = 0;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(join(ROOT, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) {
    newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  }
  return Math.max(newest, statSync(TSCONFIG).mtimeMs);
}

function isFresh(): boolean {
  if (!existsSync(STAMP) || !['server.js', 'main.js', 'app.js', 'cli/main.js'].every((f) => existsSync(join(ROOT, 'dist', f))))
    return false;
  return statSync(STAMP).mtimeMs >= newestSourceMtime();
}

async function withLock<T>(fn: () => T): Promise<T> {
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        // A lock left by a killed test run: take it over.
        if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Compiles the server unless dist/ is already newer than the sources; throws on compile errors. */
export async function buildServer(): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  return withLock(() => {
    if (isFresh()) return { built: false, ms: Date.now() - started };
    const buildStart = new Date();
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', TSCONFIG], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) {
      throw new Error(`building the server failed (tsc exit ${tsc.status ?? tsc.signal}):\n${tsc.stdout}${tsc.stderr}`);
    }
    // Stamped with the build's start: a source saved during the build makes the next run rebuild.
    writeFileSync(STAMP, '');
    utimesSync(STAMP, buildStart, buildStart);
    return { built: true, ms: Date.now() - started };
  });
}
