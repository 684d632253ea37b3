// `infoline simulate --press 1 6808215469# 1 21081968#` on the identification fixture, in
// process through the real argument parser: the keys after the menu digit as the caller types
// them (one argument per entry), the numbers masked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { IDENTIFY_CONFIG } from '../support/identify.js';

const dir = mkdtempSync(join(tmpdir(), 'infoline-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `infoline simulate --at … --press <keys…>` with the keys as separate arguments, as typed in a shell. */
async function simulate(press: string, json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (s: string) => out.push(s),
    err: (s: string) => err.push(s),
    env: { INFOLINE_CONFIG_DIR: IDENTIFY_CONFIG, DATABASE_URL: join(dir, 'sim.db') },
    now: () => 0,
  };
  const code = await runCli(['simulate', '--at', '2026-11-25T10:00', '--press', ...press.split(' '), ...(json ? ['--json'] : [])], io);
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
