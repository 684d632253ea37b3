// Reads the config directory (the only file I/O of configuration): one consistent snapshot,
// plain files only, each under a size limit.
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isConfigFile } from './files.js';
import type { ConfigIssue } from './issues.js';

/** A config file larger than this is refused unread (the shipped prompt files are ~10 kB). */
export const MAX_CONFIG_FILE_BYTES = 2 * 1024 * 1024;
const SUBDIRS = ['flows', 'prompts', 'config'] as const;

/** The repository root that ships flows/, prompts/ and config/ (the embedded defaults). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export interface ConfigSnapshot {
  /** Every readable config file's text by its path relative to the directory (flows/x.yaml, …). */
  files: Map<string, string>;
  /** Files refused unread: not a plain file (a named pipe, a device), or over the size limit. */
  issues: ConfigIssue[];
}

/** Every config file's text by its path relative to `dir` (refused files left out). */
export function readConfigFiles(dir: string): Map<string, string> {
  return readConfigSnapshot(dir).files;
}

/**
 * One version's files, all from the same directory: the directory is resolved once (a symlink
 * swapped mid-read cannot mix two directories), and the listing with every file's identity is
 * compared before and after the read; on a change the read is repeated.
 */
export function readConfigSnapshot(
  dir: string,
  options: { attempts?: number; afterFile?: (relPath: string) => void } = {},
): ConfigSnapshot {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const root = realOrSame(dir);
    const before = fingerprint(root);
    const snapshot = readFrom(root, options.afterFile);
    if ((realOrSame(dir) === root && fingerprint(root) === before) || attempt >= attempts) return snapshot;
  }
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function listing(root: string, sub: string): string[] {
  try {
    return readdirSync(join(root, sub)).sort();
  } catch {
    return []; // a missing folder is reported by validation as missing files
  }
}

/** What changes when any config file is replaced, renamed, written or resized. */
function fingerprint(root: string): string {
  const parts: string[] = [];
  for (const sub of SUBDIRS) {
    parts.push(`${sub}>${realOrSame(join(root, sub))}`);
    for (const name of listing(root, sub)) {
      if (!isConfigFile(`${sub}/${name}`)) continue;
      try {
        const s = statSync(join(root, sub, name), { bigint: true });
        parts.push(`${name}:${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`);
      } catch {
        parts.push(`${name}:gone`);
      }
    }
  }
  return parts.join('\n');
}

/** Total size of the config files (stat only, nothing opened): how heavy a read and parse would be. */
export function configBytes(dir: string): number {
  const root = realOrSame(dir);
  let total = 0;
  for (const sub of SUBDIRS) {
    for (const name of listing(root, sub)) {
      if (!isConfigFile(`${sub}/${name}`)) continue;
      try {
        total += statSync(join(root, sub, name)).size;
      } catch {
        // vanished: counts nothing
      }
    }
  }
  return total;
}

/** `afterFile`: called after each file is read (tests change the directory at that moment). */
function readFrom(root: string, afterFile?: (relPath: string) => void): ConfigSnapshot {
  const files = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const sub of SUBDIRS) {
    for (const name of listing(root, sub)) {
      const rel = `${sub}/${name}`;
      if (!isConfigFile(rel)) continue;
      const read = readPlainFile(join(root, rel));
      if (read.text !== undefined) files.set(rel, read.text);
      else if (read.problem !== undefined) issues.push({ file: rel, line: 0, path: '', message: read.problem });
      afterFile?.(rel);
      // Neither: vanished between readdir and open (an editor's rename-over save); the next poll sees it.
    }
  }
  return { files, issues };
}

/**
 * Opens without blocking (a named pipe would otherwise wait for a writer for ever), then checks
 * what was opened: only a regular file within the size limit is read.
 */
function readPlainFile(path: string): { text?: string; problem?: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? {} : { problem: `cannot be read (${code ?? 'error'})` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { problem: `not a regular file (${kindOf(stat)}); config files must be plain files` };
    if (stat.size > MAX_CONFIG_FILE_BYTES) return { problem: tooLarge(stat.size) };
    // Read at most one byte past the limit: a file growing while read is refused too.
    const buffer = Buffer.alloc(Math.min(stat.size + 1, MAX_CONFIG_FILE_BYTES + 1) + 64 * 1024);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_CONFIG_FILE_BYTES) return { problem: tooLarge(length) };
      if (length === buffer.length) return { problem: tooLarge(length) };
    }
    return { text: buffer.toString('utf8', 0, length) };
  } catch (err) {
    return { problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(bytes: number): string {
  return `too large: ${bytes} bytes, a config file may hold at most ${MAX_CONFIG_FILE_BYTES} bytes (2 MiB)`;
}

function kindOf(stat: {
  isFIFO(): boolean;
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'something else';
}
