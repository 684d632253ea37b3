// Rules that span several files (Astro-style refinements returning { message, path }),
// then positioned in the file they concern.
import type { FlowFile } from '../flow/schema.js';
import type { HoursFile } from '../hours/schema.js';
import { IDENTIFY_PROMPT_KEYS } from '../identity/dialogue.js';
import { SYSTEM_PROMPT_KEYS } from '../speech/keys.js';
import { callbackIssues } from './callback-rules.js';
import { baseKey, flattenPrompts, type PromptFile } from '../speech/schema.js';
import { GENERAL_QUEUE, type QueuesFile } from '../telephony/queues-schema.js';
import { FLOW_FILE, DEFAULT_LANGUAGE, PROMPTS_DIR } from './files.js';
import { formatPath, type ConfigIssue } from './issues.js';
import { lineOf, type YamlSource } from './source.js';
import { ownValue } from '../util/own.js';
import { LINE_CLOSURE_ID } from '../call/line.js';

export interface ParsedConfig {
  flow: FlowFile;
  queues: QueuesFile;
  hours: HoursFile;
  prompts: Record<string, PromptFile>;
}

interface RuleIssue {
  file: string;
  path: PropertyKey[];
  message: string;
}

/**
 * Rules across files, run on the files that parsed: a bad time in hours.yaml must not hide
 * an unknown queue in the flow. A rule that needs a file which did not parse is skipped.
 */
export function crossFileIssues(config: Partial<ParsedConfig>, sources: ReadonlyMap<string, YamlSource>): ConfigIssue[] {
  const { flow, queues, hours, prompts } = config;
  const found = [
    ...(flow ? flowReferenceIssues(flow, { queues, hours, prompts }) : []),
    ...(queues ? generalQueueIssues(queues) : []),
    ...(flow && prompts ? promptIssues({ flow, prompts }) : []),
    ...(prompts ? audioIssues({ prompts }) : []),
    ...(prompts ? spokenInIssues(prompts) : []),
    ...(flow && prompts ? emptyNoticeIssues(flow, prompts) : []),
    ...(flow ? reachabilityIssues(flow) : []),
    ...(flow ? silentCallerIssues(flow) : []),
    ...(flow ? noticeIssues(flow) : []),
    ...(queues && hours ? callbackIssues(queues, hours) : []),
  ];
  return found.map((i) => {
    const source = sources.get(i.file);
    return { file: i.file, line: source ? lineOf(source, i.path) : 0, path: formatPath(i.path), message: i.message };
  });
}

function flowReferenceIssues(flow: FlowFile, { queues, hours, prompts }: Partial<ParsedConfig>): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (queues && node.kind === 'route' && ownValue(queues.queues, node.queue) === undefined) {
      out.push({ file: FLOW_FILE, path: ['nodes', id, 'queue'], message: `no queue "${node.queue}" in config/queues.yaml` });
    }
    if (
      hours &&
      (node.kind === 'route' || node.kind === 'say') &&
      node.schedule !== undefined &&
      ownValue(hours.schedules, node.schedule) === undefined
    ) {
      out.push({ file: FLOW_FILE, path: ['nodes', id, 'schedule'], message: `no schedule "${node.schedule}" in config/hours.yaml` });
    }
    if (prompts && node.kind === 'language' && prompts[node.language] === undefined) {
      out.push({
        file: FLOW_FILE,
        path: ['nodes', id, 'language'],
        message: `no prompts/${node.language}.yaml for language "${node.language}"`,
      });
    }
  }
  if (hours && ownValue(hours.schedules, LINE_CLOSURE_ID) !== undefined) {
    out.push({
      file: 'config/hours.yaml',
      path: ['schedules', LINE_CLOSURE_ID],
      message: `schedule id "${LINE_CLOSURE_ID}" is reserved for the whole-line emergency closure; choose another name`,
    });
  }
  return out;
}

function generalQueueIssues(queues: QueuesFile): RuleIssue[] {
  if (queues.queues[GENERAL_QUEUE] !== undefined) return [];
  return [{ file: 'config/queues.yaml', path: ['queues'], message: `a "${GENERAL_QUEUE}" queue is required (fallback and error route)` }];
}

/** A consent to a notice nobody heard is worthless: the notice must say something in every language. */
function emptyNoticeIssues(flow: FlowFile, prompts: Record<string, PromptFile>): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const [lang, file] of Object.entries(prompts)) {
    const text = flattenPrompts(file.prompts).get(flow.notice);
    if (typeof text === 'string' && text.trim() === '') {
      out.push({
        file: `${PROMPTS_DIR}${lang}.yaml`,
        path: ['prompts', ...flow.notice.split('.')],
        message: `the consent notice "${flow.notice}" is empty: callers must hear it before they can consent`,
      });
    }
  }
  return out;
}

/** spokenIn names a prompt of this file and a language that has its own prompt file (its voice). */
function spokenInIssues(prompts: Record<string, PromptFile>): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const [lang, file] of Object.entries(prompts)) {
    const keys = new Set([...flattenPrompts(file.prompts).keys()].map(baseKey));
    for (const [key, other] of Object.entries(file.spokenIn)) {
      const path = ['spokenIn', key];
      if (!keys.has(key))
        out.push({ file: `${PROMPTS_DIR}${lang}.yaml`, path, message: `there is no prompt "${key}" to say in another language` });
      if (prompts[other] === undefined)
        out.push({
          file: `${PROMPTS_DIR}${lang}.yaml`,
          path,
          message: `no prompts/${other}.yaml for language "${other}" (its voice speaks the prompt)`,
        });
    }
  }
  return out;
}

/** Every key the flow or the program speaks exists in every language, and every language has the same keys. */
function promptIssues({ flow, prompts }: Pick<ParsedConfig, 'flow' | 'prompts'>): RuleIssue[] {
  const out: RuleIssue[] = [];
  const used: { key: string; path: PropertyKey[] }[] = [{ key: flow.notice, path: ['notice'] }];
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind === 'menu') {
      node.intro.forEach((key, i) => used.push({ key, path: ['nodes', id, 'intro', i] }));
    }
    if ('prompts' in node) node.prompts.forEach((key, i) => used.push({ key, path: ['nodes', id, 'prompts', i] }));
    if (node.kind === 'route' && node.identify) for (const key of IDENTIFY_PROMPT_KEYS) used.push({ key, path: ['nodes', id, 'identify'] });
  }
  // Per language: base key (plural suffixes removed) → the first full key that defines it.
  const flat = new Map<string, Map<string, string>>();
  for (const [lang, file] of Object.entries(prompts)) {
    const keys = new Map<string, string>();
    for (const full of flattenPrompts(file.prompts).keys()) if (!keys.has(baseKey(full))) keys.set(baseKey(full), full);
    flat.set(lang, keys);
  }
  for (const [lang, keys] of flat) {
    const file = `${PROMPTS_DIR}${lang}.yaml`;
    for (const u of used) {
      if (!keys.has(u.key)) {
        out.push({ file: FLOW_FILE, path: u.path, message: `prompt "${u.key}" is missing in ${file}` });
      }
    }
    for (const key of SYSTEM_PROMPT_KEYS) {
      if (!keys.has(key)) out.push({ file, path: ['prompts'], message: `prompt "${key}" is missing (the program speaks it)` });
    }
    // A prompt only some languages have: reported where it is defined, naming the languages without it.
    const lacking = [...flat]
      .filter(([other, otherKeys]) => other !== lang && otherKeys !== keys)
      .map(([other, otherKeys]) => ({ other, otherKeys }));
    for (const [key, full] of keys) {
      const without = lacking.filter(({ otherKeys }) => !otherKeys.has(key)).map(({ other }) => `${PROMPTS_DIR}${other}.yaml`);
      if (without.length > 0) {
        out.push({
          file,
          path: ['prompts', ...full.split('.')],
          message: `prompt "${key}" is missing in ${without.join(', ')} (every prompt must exist in every language)`,
        });
      }
    }
  }
  if (!flat.has(DEFAULT_LANGUAGE)) out.push({ file: `${PROMPTS_DIR}${DEFAULT_LANGUAGE}.yaml`, path: [], message: 'file is missing' });
  return dedupe(out);
}

function successors(flow: FlowFile, id: string): string[] {
  const node = ownValue(flow.nodes, id);
  if (!node) return [];
  switch (node.kind) {
    case 'menu':
      return [...Object.values(node.options), node.onExhausted].filter((x): x is string => x !== undefined);
    case 'route':
      return node.closed ? [node.closed] : [];
    case 'say':
    case 'language':
      return [node.next];
    case 'goodbye':
      return [];
  }
}

function reachabilityIssues(flow: FlowFile): RuleIssue[] {
  const seen = new Set<string>([flow.start]);
  const todo = [flow.start];
  while (todo.length > 0) {
    for (const next of successors(flow, todo.pop() as string)) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  const out: RuleIssue[] = [];
  for (const id of Object.keys(flow.nodes)) {
    if (!seen.has(id))
      out.push({ file: FLOW_FILE, path: ['nodes', id], message: `node "${id}" cannot be reached from start "${flow.start}"` });
  }
  // A cycle of say/language nodes would never wait for the caller: an endless loop.
  for (const id of Object.keys(flow.nodes)) {
    const visited = new Set<string>();
    let cur: string | undefined = id;
    while (cur !== undefined) {
      const node: FlowFile['nodes'][string] | undefined = ownValue(flow.nodes, cur);
      if (!node || (node.kind !== 'say' && node.kind !== 'language')) break;
      if (visited.has(cur)) {
        out.push({
          file: FLOW_FILE,
          path: ['nodes', id, 'next'],
          message: `nodes loop without waiting for the caller: ${[...visited].join(' → ')} → ${cur}`,
        });
        break;
      }
      visited.add(cur);
      cur = node.next;
    }
  }
  return dedupe(out);
}

/** A route that records must only be reachable after the consent notice was played. */
function noticeIssues(flow: FlowFile): RuleIssue[] {
  const out: RuleIssue[] = [];
  const playsNotice = (id: string): boolean => {
    const node = ownValue(flow.nodes, id);
    if (!node) return false;
    const keys = node.kind === 'menu' ? [...node.intro, ...node.prompts] : 'prompts' in node ? node.prompts : [];
    return keys.includes(flow.notice);
  };
  // States: (node, heard). Walk every path without having heard the notice.
  const seen = new Set<string>();
  const todo: string[] = [flow.start];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = ownValue(flow.nodes, id);
    if (!node) continue;
    if (node.kind === 'route' && node.consent) {
      out.push({
        file: FLOW_FILE,
        path: ['nodes', id, 'consent'],
        message: `route "${id}" records the call but can be reached before the consent notice "${flow.notice}" is played`,
      });
    }
    if (playsNotice(id)) continue;
    todo.push(...successors(flow, id));
  }
  return out;
}

/** A recording (audio URL) configured for a prompt key that does not exist is a typo. */
function audioIssues({ prompts }: Pick<ParsedConfig, 'prompts'>): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const [lang, file] of Object.entries(prompts)) {
    const keys = new Set([...flattenPrompts(file.prompts).keys()].map(baseKey));
    for (const key of Object.keys(file.audio)) {
      if (!keys.has(key))
        out.push({
          file: `${PROMPTS_DIR}${lang}.yaml`,
          path: ['audio', key],
          message: `there is no prompt "${key}" to play this recording for`,
        });
    }
  }
  return out;
}

/**
 * A caller who never presses a key must reach a person or a goodbye: following each menu's
 * onExhausted (and, for a scheduled route, its closed branch — the worst case) may not come
 * back to a node already passed, or the silent caller would be re-prompted for ever.
 */
function silentCallerIssues(flow: FlowFile): RuleIssue[] {
  const out: RuleIssue[] = [];
  const reported = new Set<string>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'menu') continue;
    const walk: string[] = [id];
    let cur: string | undefined = node.onExhausted;
    while (cur !== undefined) {
      if (walk.includes(cur)) {
        const loop = [...walk.slice(walk.indexOf(cur)), cur];
        const key = [...loop].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          out.push({
            file: FLOW_FILE,
            path: ['nodes', id, 'onExhausted'],
            message: `a caller who presses nothing would go round for ever: ${loop.join(' → ')}; onExhausted must lead to a person (e.g. the general queue) or a goodbye`,
          });
        }
        break;
      }
      walk.push(cur);
      const next: FlowFile['nodes'][string] | undefined = ownValue(flow.nodes, cur);
      if (!next) break;
      cur =
        next.kind === 'menu'
          ? next.onExhausted
          : next.kind === 'say' || next.kind === 'language'
            ? next.next
            : next.kind === 'route'
              ? next.closed
              : undefined;
    }
  }
  return out;
}

function dedupe(issues: RuleIssue[]): RuleIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.file}|${formatPath(i.path)}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
