// Reads the config directory (the only file I/O of configuration).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isConfigFile } from './files.js';

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

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.INFOLINE_CONFIG_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : packageRoot();
}

/** Every config file's text by its path relative to `dir` (flows/x.yaml, …). */
export function readConfigFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const sub of ['flows', 'prompts', 'config']) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      continue; // a missing folder is reported by validation as missing files
    }
    for (const name of names.sort()) {
      const rel = `${sub}/${name}`;
      if (!isConfigFile(rel)) continue;
      try {
        files.set(rel, readFileSync(join(dir, rel), 'utf8'));
      } catch {
        // Vanished between readdir and read (an editor's rename-over save): the next poll sees it.
      }
    }
  }
  return files;
}
