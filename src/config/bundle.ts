// Builds one configuration version from the texts of its files. Pure: the caller reads the
// files (src/config/load.ts); this parses, validates every file and the rules across them,
// and reports every problem at once.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { flowFileSchema, type FlowFile } from '../flow/schema.js';
import { hoursFileSchema, type HoursFile } from '../hours/schema.js';
import { promptFileSchema, type PromptFile } from '../speech/schema.js';
import { queuesFileSchema, type QueuesFile } from '../telephony/queues-schema.js';
import { DEFAULT_LANGUAGE, FLOW_FILE, HOURS_FILE, isConfigFile, PROMPTS_DIR, QUEUES_FILE } from './files.js';
import { sortIssues, type ConfigIssue } from './issues.js';
import { crossFileIssues } from './rules.js';
import { parseYamlSource, safeParsePlain, zodIssues, type YamlSource } from './source.js';

export interface ConfigBundle {
  /** Content hash of every file (12 hex digits): the flow version a call is pinned to. */
  version: string;
  flow: FlowFile;
  /** Prompt files by language code (file name: prompts/cs.yaml → cs). */
  prompts: Record<string, PromptFile>;
  queues: QueuesFile;
  hours: HoursFile;
}

export type BundleResult = { ok: true; bundle: ConfigBundle } | { ok: false; issues: ConfigIssue[] };

export function contentVersion(files: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    hash
      .update(path)
      .update('\0')
      .update(files.get(path) ?? '')
      .update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

/** What the registry compares between polls: the content, and which files were refused unread. */
export function snapshotHash(files: ReadonlyMap<string, string>, readIssues: readonly ConfigIssue[]): string {
  return contentVersion(files) + (readIssues.length > 0 ? `!${readIssues.map((i) => `${i.file}:${i.message}`).join('|')}` : '');
}

/** `readIssues`: files the reader refused (not plain, too large); they refuse the version. */
export function buildBundle(files: ReadonlyMap<string, string>, readIssues: readonly ConfigIssue[] = []): BundleResult {
  const issues: ConfigIssue[] = [...readIssues];
  const unreadable = new Set(readIssues.map((i) => i.file));
  const sources = new Map<string, YamlSource>();

  const parse = <S extends z.ZodType>(path: string, schema: S): z.infer<S> | undefined => {
    const text = files.get(path);
    if (text === undefined) {
      if (!unreadable.has(path)) issues.push({ file: path, line: 0, path: '', message: 'file is missing' });
      return undefined;
    }
    const source = parseYamlSource(path, text);
    sources.set(path, source);
    if (source.syntaxIssues.length > 0) {
      issues.push(...source.syntaxIssues);
      return undefined;
    }
    if (source.empty) {
      issues.push({ file: path, line: 0, path: '', message: 'file is empty' });
      return undefined;
    }
    const result = safeParsePlain(schema, source.value);
    if (!result.success) {
      issues.push(...zodIssues(source, result.error));
      return undefined;
    }
    return result.data;
  };

  const flow = parse(FLOW_FILE, flowFileSchema);
  const queues = parse(QUEUES_FILE, queuesFileSchema);
  const hours = parse(HOURS_FILE, hoursFileSchema);
  const prompts: Record<string, PromptFile> = {};
  // A prompt file refused unread counts as one that did not parse.
  let promptsOk = ![...unreadable].some((path) => path.startsWith(PROMPTS_DIR));
  for (const path of [...files.keys()].sort()) {
    if (!path.startsWith(PROMPTS_DIR) || !isConfigFile(path)) continue;
    const lang = path.slice(PROMPTS_DIR.length).replace(/\.ya?ml$/, '');
    if (!/^[a-z]{2}$/.test(lang)) {
      issues.push({ file: path, line: 0, path: '', message: `file name must be a two-letter language code (e.g. cs.yaml), got "${lang}"` });
      promptsOk = false;
      continue;
    }
    const parsed = parse(path, promptFileSchema);
    if (parsed) prompts[lang] = parsed;
    else promptsOk = false;
  }
  if (prompts[DEFAULT_LANGUAGE] === undefined && promptsOk && !unreadable.has(`${PROMPTS_DIR}${DEFAULT_LANGUAGE}.yaml`)) {
    issues.push({
      file: `${PROMPTS_DIR}${DEFAULT_LANGUAGE}.yaml`,
      line: 0,
      path: '',
      message: 'file is missing (Czech prompts are required)',
    });
  }

  // Cross-file rules run on whatever parsed (every error in one run); the prompts count as
  // parsed only when every prompt file did (a missing language would look like missing keys).
  issues.push(...crossFileIssues({ flow, queues, hours, prompts: promptsOk ? prompts : undefined }, sources));
  if (issues.length > 0 || !flow || !queues || !hours) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, bundle: { version: contentVersion(files), flow, prompts, queues, hours } };
}
