// The flow as a supervisor reads it: a top-to-bottom outline from the start node, each menu
// with its keys and the texts callers hear, each route with its queue and its schedule's state
// at `at`. Pure (the clock and closures are parameters); the console page renders it as nested
// lists, which is also the text alternative of the Mermaid diagram (`infoline graph`).
import { activeClosure, scheduleStatus, type CompiledConfig } from '../call/compiled.js';
import { scheduleSayTexts } from '../call/turn.js';
import { DIGITS } from '../flow/schema.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import type { EmergencyClosure } from '../store/ports.js';
import { resolveQueue } from '../telephony/queues-schema.js';
import type { FlowOutline, OutlineNode, OutlineText, ScheduleState } from './contracts/flow.js';

/** A schedule's display name: `name:` in config/hours.yaml, else its id. */
export function scheduleName(config: CompiledConfig, id: string): string {
  const s = config.bundle.hours.schedules[id] as { name?: string } | undefined;
  return s?.name ?? id;
}

export function scheduleState(config: CompiledConfig, id: string, at: number, closures: readonly EmergencyClosure[]): ScheduleState | null {
  const found = scheduleStatus(config.bundle, id, at, closures);
  if (!found) return null;
  const { status } = found;
  return {
    id,
    name: scheduleName(config, id),
    open: status.open,
    closesAt: status.open ? (status.closesAt?.toISOString() ?? null) : null,
    nextOpening: status.open ? null : (status.nextOpening?.toISOString() ?? null),
    emergency: activeClosure(closures, id, at) ?? null,
  };
}

export function flowOutline(config: CompiledConfig, at: number, closures: readonly EmergencyClosure[]): FlowOutline {
  const { flow } = config.bundle;
  const { speech } = config;
  const seen = new Set<string>();

  const texts = (lang: string, keys: readonly string[], vars?: Record<string, unknown>): OutlineText[] =>
    keys.map((key) => ({ key, text: speech.text(lang, key, vars) }));

  /** Closed-hours texts as a caller would hear them at `at` (the same function the calls use). */
  const scheduleTexts = (lang: string, keys: readonly string[], id: string): OutlineText[] =>
    scheduleSayTexts(config, lang, keys, id, at, closures).texts.map((u, i) => ({ key: keys[i] ?? 'closed.reason', text: u.text }));

  const visit = (id: string, lang: string): OutlineNode => {
    const node = flow.nodes[id];
    if (!node || seen.has(`${id}|${lang}`)) return { kind: 'ref', id, lang, menu: node?.kind === 'menu' };
    seen.add(`${id}|${lang}`);
    switch (node.kind) {
      case 'menu': {
        const options = DIGITS.filter((d) => node.options[d] !== undefined)
          .sort((a, b) => (a === '0' ? 1 : b === '0' ? -1 : a.localeCompare(b)))
          .map((key) => ({ key, next: visit(node.options[key] as string, lang) }));
        return {
          kind: 'menu',
          id,
          lang,
          intro: texts(lang, node.intro),
          prompts: texts(lang, node.prompts),
          options,
          wrongKeys: DIGITS.filter((d) => node.options[d] === undefined),
          retries: flow.retries,
          exhausted: visit(node.onExhausted, lang),
        };
      }
      case 'route': {
        const q = resolveQueue(config.bundle.queues, node.queue);
        const said = [...node.prompts, node.consent ? 'connect.operator' : 'connect.general'];
        return {
          kind: 'route',
          id,
          lang,
          queue: node.queue,
          target: q?.dial ?? q?.queue ?? node.queue,
          consent: node.consent,
          texts: texts(
            lang,
            said.filter((k) => speech.text(lang, k) !== k),
          ),
          schedule: node.schedule !== undefined ? scheduleState(config, node.schedule, at, closures) : null,
          closed: node.closed !== undefined ? visit(node.closed, lang) : null,
        };
      }
      case 'say':
        return {
          kind: 'say',
          id,
          lang,
          texts: node.schedule !== undefined ? scheduleTexts(lang, node.prompts, node.schedule) : texts(lang, node.prompts),
          schedule: node.schedule !== undefined ? scheduleState(config, node.schedule, at, closures) : null,
          next: visit(node.next, lang),
        };
      case 'language':
        return { kind: 'language', id, lang, language: node.language, next: visit(node.next, node.language) };
      case 'goodbye':
        return { kind: 'goodbye', id, lang, texts: texts(lang, node.prompts), declined: node.consent === 'declined' };
    }
  };

  return { version: config.version, at: new Date(at).toISOString(), start: visit(flow.start, DEFAULT_LANGUAGE) };
}
