// Frozen config fixtures for tests, so a test never depends on the live flows/, prompts/,
// config/ files that supervisors edit. test/fixtures/config is the one frozen copy of the
// shipped config; another set (test/fixtures/<name>/) holds only the files that differ from it.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/load.js';

/** The frozen copy of the shipped config (refresh it from the repository root when that changes on purpose). */
export const FROZEN_CONFIG = join(packageRoot(), 'test', 'fixtures', 'config');

export type FixtureEdit = [file: string, from: string | RegExp, to: string];

export function fixtureConfig(name: string, edits: FixtureEdit[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), `infoline-${name}-`));
  cpSync(FROZEN_CONFIG, dir, { recursive: true });
  if (name !== 'config') cpSync(join(packageRoot(), 'test', 'fixtures', name), dir, { recursive: true });
  for (const [file, from, to] of edits) {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const after = before.replace(from, to);
    if (after === before) throw new Error(`edit did not apply: ${String(from)} not found in ${file}`);
    writeFileSync(path, after);
  }
  return dir;
}
