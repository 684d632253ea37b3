// YAML documents that remember where every key and value came from, so that a zod issue
// path can be turned into a line number.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './issues.js';
import { formatPath } from './issues.js';

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Plain JS value of the document (undefined when it did not parse). */
  value: unknown;
  /** Syntax errors, already positioned. */
  syntaxIssues: ConfigIssue[];
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntaxIssues: ConfigIssue[] = doc.errors.map((err) => ({
    file,
    line: lines.linePos(err.pos[0]).line,
    path: '',
    message: `YAML syntax error: ${firstLine(err.message)}`,
  }));
  const value = syntaxIssues.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  return { file, doc, lines, value, syntaxIssues };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Line of the node at `path`, or of its nearest existing ancestor. `atKey` points at the key instead of the value. */
export function lineOf(source: YamlSource, path: readonly PropertyKey[], atKey = false): number {
  let node: unknown = source.doc.contents;
  let best = rangeLine(source, node) ?? 1;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(part));
      if (!pair) return best;
      const keyLine = rangeLine(source, pair.key);
      const isLast = i === path.length - 1;
      if (isLast && atKey && keyLine !== undefined) return keyLine;
      node = pair.value;
      best = rangeLine(source, node) ?? keyLine ?? best;
      // A missing or null value: the key's line is the useful one.
      if (node === null || node === undefined) return keyLine ?? best;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (node === undefined) return best;
      best = rangeLine(source, node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeLine(source: YamlSource, node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  if (!range) return undefined;
  return source.lines.linePos(range[0]).line;
}

/** Turns zod issues into positioned, plain-language config issues. */
export function zodIssues(source: YamlSource, error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        out.push({
          file: source.file,
          line: lineOf(source, keyPath, true),
          path: formatPath(keyPath),
          message: `unknown key "${key}"`,
        });
      }
      continue;
    }
    out.push({ file: source.file, line: lineOf(source, path), path: formatPath(path), message: plainMessage(issue) });
  }
  return out;
}

function plainMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${article(issue.expected)}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    case 'invalid_union':
      if ('note' in issue && issue.note === 'No matching discriminator') {
        return `must be one of the known kinds, got ${describe(issue.input)}`;
      }
      return issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'string':
      return 'a text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
