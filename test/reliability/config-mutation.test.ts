// Randomly mutated configuration files (a line deleted, duplicated, a character changed, two
// values swapped, the file truncated): buildBundle never throws and either accepts the files or
// returns positioned issues; the running registry keeps answering /voice/incoming with TwiML
// while broken files are reloaded, and keeps calls on the version they started with.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { FLOW_FILE, HOURS_FILE, PROMPTS_DIR, QUEUES_FILE } from '../../src/config/files.js';
import { readConfigFiles } from '../../src/config/load.js';
import { attrs, parseTwiml } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost, TEST_BASE } from '../support/twilio.js';
import { checkTwiml, outcomeOf } from './twiml-rules.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const ORIGINAL = readConfigFiles(FROZEN_CONFIG);
// The files a configuration version is built from (other YAML in config/ belongs to others).
const FILES = [FLOW_FILE, QUEUES_FILE, HOURS_FILE, ...[...ORIGINAL.keys()].filter((f) => f.startsWith(PROMPTS_DIR))];

type Mutation =
  | { op: 'delete'; line: number }
  | { op: 'duplicate'; line: number }
  | { op: 'char'; at: number; char: string }
  | { op: 'swap'; a: number; b: number }
  | { op: 'truncate'; at: number };

/** Fractions (0..1) pick the position, so one arbitrary works for files of any length. */
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }).map((line): Mutation => ({ op: 'delete', line })),
  fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }).map((line): Mutation => ({ op: 'duplicate', line })),
  fc
    .tuple(
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      fc.oneof(
        fc.constantFrom(
          ' ',
          ':',
          '-',
          '"',
          "'",
          '#',
          '{',
          '}',
          '[',
          ']',
          '&',
          '*',
          '!',
          '|',
          '>',
          '%',
          '@',
          '\t',
          '\n',
          '0',
          '9',
          'x',
          'ř',
          '',
        ),
        fc.string({ minLength: 1, maxLength: 2 }),
      ),
    )
    .map(([at, char]): Mutation => ({ op: 'char', at, char })),
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }))
    .map(([a, b]): Mutation => ({ op: 'swap', a, b })),
  fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }).map((at): Mutation => ({ op: 'truncate', at })),
);

const VALUE = /^(\s*(?:-\s+)?[^:#]+:\s+)(\S.*)$/;

function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const pick = (f: number) => Math.min(lines.length - 1, Math.floor(f * lines.length));
  switch (m.op) {
    case 'delete':
      lines.splice(pick(m.line), 1);
      return lines.join('\n');
    case 'duplicate': {
      const i = pick(m.line);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 'char': {
      const i = Math.floor(m.at * text.length);
      return text.slice(0, i) + m.char + text.slice(i + 1);
    }
    case 'swap': {
      // Swap the values of two `key: value` lines (the nearest such lines to the picks).
      const withValue = lines.map((l, i) => (VALUE.test(l) ? i : -1)).filter((i) => i >= 0);
      if (withValue.length < 2) return text;
      const ia = withValue[Math.floor(m.a * withValue.length)] as number;
      const ib = withValue[Math.floor(m.b * withValue.length)] as number;
      const a = VALUE.exec(lines[ia] ?? '');
      const b = VALUE.exec(lines[ib] ?? '');
      if (!a || !b) return text;
      lines[ia] = `${a[1]}${b[2]}`;
      lines[ib] = `${b[1]}${a[2]}`;
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, Math.floor(m.at * text.length));
  }
}

const editArb = fc.record({ file: fc.constantFrom(...FILES), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) });

function applyEdit(edit: { file: string; mutations: Mutation[] }): Map<string, string> {
  const files = new Map(ORIGINAL);
  let text = files.get(edit.file) ?? '';
  for (const m of edit.mutations) text = mutate(text, m);
  files.set(edit.file, text);
  return files;
}

describe('buildBundle on mutated files', () => {
  it('the unmodified files are accepted (the baseline of this test)', () => {
    expect(buildBundle(ORIGINAL)).toMatchObject({ ok: true });
  });

  it('never throws; accepts, or reports issues with a file, a line ≥ 0 and a message', () => {
    fc.assert(
      fc.property(editArb, (edit) => {
        const files = applyEdit(edit);
        const result = buildBundle(files);
        if (result.ok) return;
        expect(result.issues.length).toBeGreaterThan(0);
        for (const issue of result.issues) {
          expect(typeof issue.file).toBe('string');
          expect(issue.file.length).toBeGreaterThan(0);
          expect(Number.isInteger(issue.line), JSON.stringify(issue)).toBe(true);
          expect(issue.line).toBeGreaterThanOrEqual(0);
          const lines = (files.get(issue.file) ?? '').split('\n').length;
          expect(issue.line, JSON.stringify(issue)).toBeLessThanOrEqual(lines + 1);
          expect(issue.message.trim().length, JSON.stringify(issue)).toBeGreaterThan(0);
          expect(issue.message).not.toMatch(/\n\s+at /); // no stack trace
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a deleted file is reported as missing, not thrown', () => {
    for (const file of FILES) {
      const files = new Map(ORIGINAL);
      files.delete(file);
      const result = buildBundle(files);
      expect(result.ok, file).toBe(false);
      // Named as the file of the issue, or in its message (a flow node needing prompts/en.yaml).
      if (!result.ok)
        expect(
          result.issues.some((i) => i.file === file || i.message.includes(file)),
          JSON.stringify(result.issues),
        ).toBe(true);
    }
  });
});

describe('the running registry while broken files are reloaded', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'infoline-mut-'));
    for (const sub of ['flows', 'prompts', 'config']) cpSync(join(FROZEN_CONFIG, sub), join(dir, sub), { recursive: true });
    t = await buildTestApp({ configDir: dir });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const restore = () => {
    for (const [file, text] of ORIGINAL) writeFileSync(join(dir, file), text);
    expect(t.registry.reload().result).not.toBe('refused');
  };

  it('keeps answering /voice/incoming with valid TwiML; refused edits keep the last good version', async () => {
    const good = t.registry.current!.version;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(editArb, async (edit) => {
        // A call that started before the edit.
        const callSid = newCallSid();
        const first = await signedPost(t.app, '/voice/incoming', { CallSid: callSid });
        const action = attrs(parseTwiml(first.body).verbs[0]!).action!;

        const files = applyEdit(edit);
        writeFileSync(join(dir, edit.file), files.get(edit.file) ?? '');
        const before = t.registry.current!.version;
        const r = t.registry.reload();
        if (r.result === 'refused') {
          refused += 1;
          expect(t.registry.current!.version).toBe(before);
          expect(t.registry.lastRefused?.length).toBeGreaterThan(0);
        }

        const res = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid() });
        expect(res.statusCode).toBe(200);
        expect(checkTwiml(res.body, { publicUrl: TEST_BASE }), `${edit.file}: ${r.result}\n${res.body}`).toEqual([]);
        if (r.result === 'refused') expect(outcomeOf(res.body).kind).toBe('menu');

        // The call in progress goes on (on its own version) and reaches a person.
        const next = await signedPost(t.app, action, { CallSid: callSid, Digits: '1' });
        expect(next.statusCode).toBe(200);
        expect(checkTwiml(next.body, { publicUrl: TEST_BASE })).toEqual([]);
        expect(outcomeOf(next.body).kind).toBe('queue');
        restore();
        expect(t.registry.current!.version).toBe(good);
      }),
      { numRuns: 50 },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('an emptied and a deleted-content flow file is refused and the line keeps answering', async () => {
    for (const text of ['', '\0\0\0', ':', 'nodes: [']) {
      writeFileSync(join(dir, 'flows/infoline.yaml'), text);
      expect(t.registry.reload().result).toBe('refused');
      const res = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid() });
      expect(res.statusCode).toBe(200);
      expect(outcomeOf(res.body).kind).toBe('menu');
    }
    restore();
  });
});
