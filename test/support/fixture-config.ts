// Frozen config fixtures for tests (test/fixtures/<name>/): copied to a temp dir, optionally
// edited, so a test never depends on the live flows/, prompts/, config/ files.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/load.js';

export type FixtureEdit = [file: string, from: string | RegExp, to: string];

export function fixtureConfig(name: string, edits: FixtureEdit[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), `infoline-${name}-`));
  cpSync(join(packageRoot(), 'test', 'fixtures', name), dir, { recursive: true });
  for (const [file, from, to] of edits) {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const after = before.replace(from, to);
    if (after === before) throw new Error(`edit did not apply: ${String(from)} not found in ${file}`);
    writeFileSync(path, after);
  }
  return dir;
}
