// Cold start (issue 17): validating the configuration (YAML, then zod) is the largest part of a
// start, about 90 ms of the first answer's 390. An unchanged directory validated by the same
// build of infoline gives the same bundle, so the bundled server keeps the last valid bundle in
// a private directory (CONFIG_CACHE_DIR) and reads it back at start. The key is the build (code
// and locked dependencies, stamped by scripts/bundle-server.mjs) and the content hash of every
// file; a miss, a corrupt file or a directory others could write to means validating as usual.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, type Stats } from 'node:fs';
import { lstat, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { ConfigBundle } from './bundle.js';

export interface BundleCache {
  /** The bundle last validated from files with this snapshot hash, if kept. */
  read(snapshotHash: string): ConfigBundle | undefined;
  /**
   * Keeps a valid bundle for the next start, off the answering thread (the first call is not
   * kept waiting for the disk). Never rejects: a failure is logged and only costs the next start.
   */
  write(snapshotHash: string, bundle: ConfigBundle): Promise<void>;
}

interface CacheEntry {
  buildId: string;
  snapshotHash: string;
  bundle: ConfigBundle;
}

/** Ours alone: a real directory or file (no symlink) of this user that nobody else may write (no one can plant a bundle). */
function privateToUs(stats: Stats): boolean {
  const uid = process.getuid?.();
  return !stats.isSymbolicLink() && (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
}

export function fileBundleCache(opts: {
  dir: string;
  buildId: string;
  configDir: string;
  logger: { warn(obj: object, msg?: string): void };
}): BundleCache {
  // One file per config directory, so two services on one host do not evict each other.
  const file = join(opts.dir, `${createHash('sha256').update(opts.configDir).digest('hex').slice(0, 16)}.bin`);
  return {
    read(snapshotHash) {
      try {
        if (!privateToUs(lstatSync(opts.dir)) || !privateToUs(lstatSync(file))) return undefined;
        const entry = deserialize(readFileSync(file)) as CacheEntry;
        return entry.buildId === opts.buildId && entry.snapshotHash === snapshotHash ? entry.bundle : undefined;
      } catch {
        return undefined; // absent or unreadable: validate as usual
      }
    },
    async write(snapshotHash, bundle) {
      try {
        const entry: CacheEntry = { buildId: opts.buildId, snapshotHash, bundle };
        const data = serialize(entry);
        await mkdir(opts.dir, { recursive: true, mode: 0o700 });
        if (!privateToUs(await lstat(opts.dir))) throw new Error(`${opts.dir} is not a private directory of this user`);
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, data, { mode: 0o600 });
        await rename(temp, file);
      } catch (err) {
        opts.logger.warn({ err, cacheDir: opts.dir }, 'validated config not cached; the next start validates it again');
      }
    },
  };
}
