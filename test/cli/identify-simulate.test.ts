// `infoline simulate --press 1 6808215469# 1 21081968#` on the identification fixture, in
// process: the keys after the menu digit as the caller types them, the numbers masked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../../src/cli/simulate.js';
import { IDENTIFY_CONFIG } from '../support/identify.js';

const dir = mkdtempSync(join(tmpdir(), 'infoline-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function simulate(press: string, json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSimulate(
    { out: (s) => out.push(s), err: (s) => err.push(s), env: { INFOLINE_CONFIG_DIR: IDENTIFY_CONFIG, DATABASE_URL: join(dir, 'sim.db') }, now: () => Date.parse('2026-11-25T09:00:00Z') },
    { at: '2026-11-25T10:00', press, json },
  );
  return { code, out: out.join(''), err: err.join('') };
}

describe('simulate with identification', () => {
  it('plays number, confirmation and date of birth; prints the result, never the digits', async () => {
    const r = await simulate('1 6808215469# 1 21081968#');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('step 3: POST /voice/identify (key xxxxxxxxxx#)');
    expect(r.out).toContain('caller hears: Zadali jste xx xx xx xx xx.');
    expect(r.out).toContain('identification: two-identifiers');
    expect(r.out).toMatch(/call ended: TaskRouter workflow WW[0-9a-f]{32} \(route insurance\)\n$/);
    expect(r.out.replace(/\s/g, '')).not.toMatch(/6808215469|21081968/);
  });

  it('--json masks the same way', async () => {
    const r = await simulate('1 6808215469# 1 21081968#', true);
    const doc = JSON.parse(r.out) as { presses: string[]; end: { kind: string } };
    expect(doc.presses).toEqual(['1', 'xxxxxxxxxx#', '1', 'xxxxxxxx#']);
    expect(doc.end.kind).toBe('queue');
    expect(r.out.replace(/\s/g, '')).not.toMatch(/6808215469|21081968/);
  });
});
