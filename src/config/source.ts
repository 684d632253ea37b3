// YAML documents that remember where every key and value came from, so that a zod issue
// path can be turned into a line number; and zod issues turned into plain language for a
// call-centre supervisor (no "Invalid input: expected string, received undefined").
import {
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './issues.js';
import { formatPath } from './issues.js';

export interface YamlSource {
  file: string;
  /** The file's text (for messages that quote it, e.g. a duplicate key). */
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Plain JS value of the document (undefined when it did not parse). */
  value: unknown;
  /** Syntax errors, already positioned. */
  syntaxIssues: ConfigIssue[];
  /** The file holds no document at all (empty or only comments). */
  empty: boolean;
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  // uniqueKeys off: the library checks each key against every earlier one (quadratic in a
  // mapping's size: 10,000 prompt keys took seconds); duplicateKeyIssues does it in one pass.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const syntaxIssues = [...yamlIssues(file, lines, doc.errors), ...duplicateKeyIssues(file, lines, doc)];
  let value: unknown;
  if (syntaxIssues.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // e.g. an alias bomb (too many alias expansions) or an alias to nothing.
      const message = firstLine(err instanceof Error ? err.message : String(err));
      const alias = /Unresolved alias.*: (\S+)$/.exec(message)?.[1];
      const at = alias !== undefined ? text.indexOf(`*${alias}`) : -1;
      syntaxIssues.push({
        file,
        line: at >= 0 ? lines.linePos(at).line : 1,
        path: '',
        message: alias !== undefined ? `YAML error: *${alias} refers to no anchor &${alias} defined before it` : `YAML error: ${message}`,
      });
    }
  }
  const empty = syntaxIssues.length === 0 && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null));
  return { file, text, doc, lines, value, syntaxIssues, empty };
}

/**
 * YAML errors, positioned. After the first real syntax error the parser's later complaints are
 * mostly consequences of it (a tab on one line makes every following line "badly indented"),
 * so only the first is reported (duplicate keys, which never cascade, are all listed separately).
 */
function yamlIssues(file: string, lines: LineCounter, errors: readonly YAMLError[]): ConfigIssue[] {
  const first = errors[0];
  if (first === undefined) return [];
  const pos = lines.linePos(first.pos[0]);
  return [{ file, line: pos.line, column: pos.col, path: '', message: `YAML syntax error: ${syntaxMessage(first)}` }];
}

/** Keys repeated in the same mapping, each reported at its second (third, …) occurrence. */
function duplicateKeyIssues(file: string, lines: LineCounter, doc: Document.Parsed): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (!seen.has(value)) {
          seen.add(value);
          continue;
        }
        const pos = lines.linePos(pair.key.range?.[0] ?? 0);
        out.push({
          file,
          line: pos.line,
          column: pos.col,
          path: '',
          message: `duplicate key "${String(value)}": each key may appear only once in the same place`,
        });
      }
    },
  });
  return out;
}

function syntaxMessage(err: YAMLError): string {
  switch (err.code) {
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation; indent with spaces only';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
    default: {
      const text = firstLine(err.message).replace(/\s+at line \d+, column \d+:?$/, '');
      return text.charAt(0).toLowerCase() + text.slice(1);
    }
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * Line of the node at `path`, or of its nearest existing ancestor.
 * - `atKey`: the line of the last path element's key (unknown keys, bad names);
 * - a value that is a block mapping or list (starting on the line after its key): the key's line;
 * - otherwise the value's line.
 */
export function lineOf(source: YamlSource, path: readonly PropertyKey[], atKey = false): number {
  return positionOf(source, path, atKey).line;
}

export function positionOf(source: YamlSource, path: readonly PropertyKey[], atKey = false): { line: number; column?: number } {
  let node: unknown = source.doc.contents;
  let best = rangePos(source, node) ?? { line: 1 };
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const isLast = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairIndex(node).get(String(part));
      if (!pair) return best;
      const keyPos = rangePos(source, pair.key);
      if (isLast && atKey && keyPos !== undefined) return keyPos;
      node = pair.value;
      const valuePos = rangePos(source, node);
      // A missing or null value: the key's line is the useful one.
      if (node === null || node === undefined || valuePos === undefined) return keyPos ?? best;
      // A block collection starts on the next line; its key names what is wrong.
      best = keyPos !== undefined && isCollection(node) && valuePos.line > keyPos.line ? keyPos : valuePos;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (node === undefined) return best;
      best = rangePos(source, node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

/** Key text → pair, built once per mapping: thousands of lookups in one big mapping stay linear. */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairIndex(map: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items) {
      const key = isPair(p) ? keyText(p.key) : undefined;
      if (key !== undefined && !index.has(key)) index.set(key, p as Pair);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangePos(source: YamlSource, node: unknown): { line: number; column: number } | undefined {
  const range = (node as Node | null | undefined)?.range;
  if (!range) return undefined;
  const pos = source.lines.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

/**
 * Parses with the plain-language error map (schema-specific messages still win). A config file
 * is parsed once per version: zod's JIT would compile a parser per object schema for that one
 * use, which made validating the shipped config at start some 35 ms slower (issue 17).
 */
export function safeParsePlain<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  return schema.safeParse(value, { error: plainErrorMap, reportInput: true, jitless: true });
}

/** Turns zod issues into positioned, plain-language config issues. */
export function zodIssues(source: YamlSource, error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: readonly PropertyKey[], line: number, message: string) => {
    out.push({ file: source.file, line, path: formatPath(path), message: path.length === 0 ? wholeFile(message) : message });
  };
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const all = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        // One line per key, at the key; the message names just that key.
        const message =
          issue.keys.length === 1
            ? issue.message
            : issue.message.replace(all, JSON.stringify(key)).replace(/^unknown keys\b/, 'unknown key');
        push(keyPath, lineOf(source, keyPath, true), message.includes(key) ? message : `unknown key "${key}": ${message}`);
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      push(path, lineOf(source, path, true), issue.message);
      continue;
    }
    const missing = issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;
    // A missing key is reported on its parent's key line (there is no line of its own).
    const line = missing ? lineOf(source, path.slice(0, -1), true) : lineOf(source, path);
    push(path, line, issue.message);
  }
  return out;
}

function wholeFile(message: string): string {
  return /^(must|is|needs) /.test(message) ? `the file ${message}` : message;
}

type RawIssue = z.core.$ZodRawIssue;

/** zod's default messages, in plain words. Messages a schema sets itself take precedence. */
export function plainErrorMap(issue: RawIssue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is required but missing';
      return `must be ${expectedText(issue.expected)}, got ${describe(input)}`;
    case 'invalid_value':
      if (issue.values.length === 1) return `must be ${JSON.stringify(issue.values[0])}, got ${describe(input)}`;
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(input)}`;
    case 'too_small':
      return sizeMessage('at least', issue.origin, Number(issue.minimum), issue.inclusive !== false, input);
    case 'too_big':
      return sizeMessage('at most', issue.origin, Number(issue.maximum), issue.inclusive !== false, input);
    case 'invalid_format':
      if (issue.format === 'url') return `${describe(input)} is not a web address (https://…)`;
      if (issue.format === 'regex') return `${describe(input)} is not in the expected form`;
      return `${describe(input)} is not a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys': {
      const allowed = allowedKeys(issue.inst);
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}${allowed ? ` (allowed here: ${allowed})` : ''}`;
    }
    case 'invalid_key': {
      const inner = issue.issues.find((i) => typeof i.message === 'string' && i.message !== '')?.message;
      return inner && !/^Invalid/.test(inner) ? inner : `${describe(input)} is not allowed as a name here`;
    }
    case 'invalid_union':
      if (issue.note === 'No matching discriminator') {
        const value = (input as Record<string, unknown> | undefined)?.[issue.discriminator ?? ''];
        const options = ('options' in issue && Array.isArray(issue.options) ? issue.options : []).map(String).join(', ');
        return value === undefined ? `is required: one of ${options}` : `must be one of ${options}, got ${describe(value)}`;
      }
      return 'does not match any of the allowed forms';
    case 'invalid_element':
      return 'contains an invalid entry';
    case 'custom':
      return undefined;
    default:
      return undefined;
  }
}

function sizeMessage(bound: 'at least' | 'at most', origin: string, n: number, inclusive: boolean, input: unknown): string {
  const limit = inclusive ? n : bound === 'at least' ? n + 1 : n - 1;
  switch (origin) {
    case 'string':
      if (bound === 'at least' && limit === 1) return 'must not be empty';
      return `must be ${bound} ${limit} character${limit === 1 ? '' : 's'} long`;
    case 'array':
    case 'set':
      if (bound === 'at least' && limit === 1) return 'must list at least one entry';
      return `must list ${bound} ${limit} entr${limit === 1 ? 'y' : 'ies'}`;
    case 'number':
    case 'int':
    case 'bigint':
      return `must be ${bound} ${limit}, got ${describe(input)}`;
    default:
      return `must be ${bound} ${limit}`;
  }
}

function allowedKeys(inst: unknown): string | undefined {
  const def = (inst as { _zod?: { def?: { shape?: Record<string, unknown>; keyType?: { _zod?: { values?: Set<unknown> } } } } } | undefined)
    ?._zod?.def;
  if (def?.shape) return Object.keys(def.shape).join(', ');
  const values = def?.keyType?._zod?.values;
  if (values) return [...values].map(String).join(', ');
  return undefined;
}

function expectedText(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'string':
      return 'a text';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
