// Runs the real CLI binary (compiled JS, as `infoline` / `npm run cli` runs it). The sources are
// compiled once per content hash into node_modules/.cache (not dist/, which other work in the
// tree may be rebuilding at the same moment); parallel test files share one build via a lock.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/config/load.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const run = promisify(execFile);
const ROOT = packageRoot();

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) hash.update(relative(ROOT, path)).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'src'));
  hash.update(readFileSync(join(ROOT, 'tsconfig.json'))).update(readFileSync(join(ROOT, 'tsconfig.build.json')));
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let built: Promise<string> | undefined;

/** Path of the compiled cli/main.js for the current sources (built once per content hash). */
export function builtCli(): Promise<string> {
  built ??= buildCli();
  return built;
}

async function buildCli(): Promise<string> {
  const base = join(ROOT, 'node_modules', '.cache', 'infoline-cli-test');
  const dir = join(base, sourceHash());
  const main = join(dir, 'cli', 'main.js');
  const done = join(dir, '.done');
  const lock = `${dir}.lock`;
  mkdirSync(base, { recursive: true });
  for (let waited = 0; waited < 180_000; waited += 200) {
    if (existsSync(done)) return main;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building; take over a lock left by a process that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // vanished meanwhile
      }
      await sleep(200);
      continue;
    }
    try {
      // Type errors elsewhere in the tree (work in progress) do not stop tsc from emitting.
      await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', dir], { cwd: ROOT }).catch(() => undefined);
      if (!existsSync(main)) throw new Error(`the CLI did not compile to ${main}`);
      writeFileSync(done, new Date().toISOString());
      return main;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  throw new Error('timed out waiting for the CLI build');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node <built main.js> ...args` with extra env; never throws on a non-zero exit. */
export async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const main = await builtCli();
  try {
    const { stdout, stderr } = await run('node', [main, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: undefined, INFOLINE_CONFIG_DIR: FROZEN_CONFIG, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A stack trace line, as Node prints them. */
export const STACK = /\n\s+at /;

/** A temp copy of the frozen default config (test/fixtures/config). */
export function copyDefaultConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-config-'));
  for (const sub of ['flows', 'prompts', 'config']) cpSync(join(FROZEN_CONFIG, sub), join(dir, sub), { recursive: true });
  return dir;
}

/** A fresh temp dir (for a DATABASE_URL file and the like). */
export function tempDir(prefix = 'infoline-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Replaces `from` by `to` in a file of `dir`; fails loudly when `from` is not there. */
export function editFile(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`edit did not apply: ${String(from)} not found in ${file}`);
  writeFileSync(path, after);
}
