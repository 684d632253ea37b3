// Config files that could freeze or corrupt the line: a named pipe, an oversized file, a config
// directory swapped by symlink mid-read, a huge prompts file reloaded while calls come in.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { formatIssue } from '../../src/config/issues.js';
import { MAX_CONFIG_FILE_BYTES, readConfigSnapshot } from '../../src/config/load.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import { buildTestApp, quietLogger } from '../support/app.js';
import { cli, editFile } from '../cli/support.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/config', import.meta.url));

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infoline-safe-read-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Moves the top-level `prompts:` mapping to the end of a prompts file, so keys appended there land inside it. */
function withPromptsLast(text: string): string {
  const start = text.search(/^prompts:/m);
  const next = text.slice(start).search(/\n[^\s#]/);
  if (start < 0 || next < 0) return text;
  const end = start + next + 1;
  return `${text.slice(0, start)}${text.slice(end).trimEnd()}\n${text.slice(start, end)}`;
}

/** `n` extra prompt keys under `extra:` in both languages (a valid, large config). */
function addPromptKeys(dir: string, n: number, langs = ['cs', 'en']): void {
  const lines = ['  extra:'];
  for (let i = 0; i < n; i++) lines.push(`    k${i}: Text number ${i} for the caller, with a few more words.`);
  for (const lang of langs) {
    const path = join(dir, 'prompts', `${lang}.yaml`);
    writeFileSync(path, `${withPromptsLast(readFileSync(path, 'utf8')).trimEnd()}\n${lines.join('\n')}\n`);
  }
}

describe('files that are not plain or too large are refused unread', () => {
  it('a named pipe in prompts/: refused with `file: message`, nothing hangs, the last good version keeps serving', async () => {
    const dir = configCopy();
    const registry = new ConfigRegistry({ dir, logger: quietLogger });
    cleanups.push(() => registry.close());
    registry.start();
    const good = registry.current!.version;
    execFileSync('mkfifo', [join(dir, 'prompts', 'de.yaml')]);
    const r = registry.reload();
    expect(r.result).toBe('refused');
    expect(r.issues!.map(formatIssue)).toEqual(['prompts/de.yaml: not a regular file (a named pipe); config files must be plain files']);
    expect(registry.current!.version).toBe(good);

    const run = await cli(['validate'], { INFOLINE_CONFIG_DIR: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('prompts/de.yaml: not a regular file (a named pipe); config files must be plain files\n');
  }, 180_000); // the first CLI run of a test file compiles the CLI

  it(`a file over ${MAX_CONFIG_FILE_BYTES} bytes: refused with its size, without reading it`, () => {
    const dir = configCopy();
    writeFileSync(join(dir, 'prompts', 'en.yaml'), `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    const snapshot = readConfigSnapshot(dir);
    expect(snapshot.files.has('prompts/en.yaml')).toBe(false);
    const built = buildBundle(snapshot.files, snapshot.issues);
    expect(built.ok).toBe(false);
    expect(!built.ok && built.issues.map(formatIssue)).toEqual([
      `prompts/en.yaml: too large: ${MAX_CONFIG_FILE_BYTES + 3} bytes, a config file may hold at most ${MAX_CONFIG_FILE_BYTES} bytes (2 MiB)`,
    ]);
  });
});

describe('a config directory swapped by symlink while it is read', () => {
  it("gives one directory's files, never a mix", () => {
    const base = mkdtempSync(join(tmpdir(), 'infoline-swap-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const a = join(base, 'a');
    const b = join(base, 'b');
    cpSync(FIXTURE, a, { recursive: true });
    cpSync(FIXTURE, b, { recursive: true });
    editFile(b, 'flows/infoline.yaml', /retries: \d+/, 'retries: 2');
    editFile(b, 'prompts/cs.yaml', 'Informace o zpracování osobních údajů.', 'Jiná informace.');
    const link = join(base, 'current');
    symlinkSync(a, link);
    const swap = (to: string) => {
      symlinkSync(to, `${link}.new`);
      renameSync(`${link}.new`, link); // atomic, as a deploy tool does it
    };
    let swapped = false;
    // The flow (first file read) comes from A; then the directory becomes B.
    const snapshot = readConfigSnapshot(link, {
      afterFile: () => {
        if (swapped) return;
        swapped = true;
        swap(b);
      },
    });
    const from = (dir: string) => readConfigSnapshot(dir).files;
    expect(snapshot.files).toEqual(from(b));
    expect(snapshot.files).not.toEqual(from(a));
  });
});

describe('a large prompts file', () => {
  it('20,000 keys missing in the other language: every issue at its own line; a duplicate key at the end is found', () => {
    const dir = configCopy();
    addPromptKeys(dir, 20_000, ['en']);
    const enPath = join(dir, 'prompts', 'en.yaml');
    writeFileSync(enPath, `${readFileSync(enPath, 'utf8')}    k7: again\n`);
    const { files, issues } = readConfigSnapshot(dir);
    const built = buildBundle(files, issues);
    expect(built.ok).toBe(false);
    if (built.ok) return;
    const lines = readFileSync(enPath, 'utf8').split('\n');
    expect(built.issues).toHaveLength(1);
    expect(formatIssue(built.issues[0]!)).toBe(
      `prompts/en.yaml:${lines.length - 1}:5 duplicate key "k7": each key may appear only once in the same place`,
    );

    writeFileSync(enPath, lines.slice(0, -2).join('\n') + '\n');
    const again = buildBundle(readConfigSnapshot(dir).files);
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.issues).toHaveLength(20_000);
    const last = again.issues.find((i) => i.path === 'prompts.extra.k19999')!;
    expect(lines[last.line - 1]).toMatch(/^ {4}k19999: /);
  });

  it('is read and parsed off the answering thread: /healthz answers while the reload is still running', async () => {
    const dir = configCopy();
    const t = await buildTestApp({ configDir: dir });
    cleanups.push(() => t.close());
    const before = t.registry.current!.version;
    addPromptKeys(dir, 15_000); // ~1 MB per language
    let settled = false;
    const reload = t.registry.reloadInBackground().finally(() => {
      settled = true;
    });
    let answeredDuringReload = 0;
    do {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      if (!settled) answeredDuringReload++;
    } while (!settled && answeredDuringReload < 5);
    expect(answeredDuringReload).toBeGreaterThan(0);
    expect(await reload).toMatchObject({ result: 'applied' });
    expect(t.registry.current!.version).not.toBe(before);
    expect(t.registry.current!.speech.text('en', 'extra.k14999')).toBe('Text number 14999 for the caller, with a few more words.');
  });
});
