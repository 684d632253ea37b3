// One webhook = one pure step: (machine, state, event) → (state', actions). No actor runs
// between webhooks; the state comes back from the signed callback URL.
import type { EmergencyClosure } from '../hours/types.js';
import { initialTransition, transition } from 'xstate';
import { isFlowAction, OPEN_SUFFIX, type CallState, type FlowAction, type FlowEvent, type FlowMachine } from './machine.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';

export interface StepResult {
  state: CallState;
  actions: FlowAction[];
  /** The call left the flow (connected or hung up): no further menu steps. */
  done: boolean;
}

/** Keys a caller can press that mean something; anything else is a wrong key. */
export function normalizeDigits(raw: unknown): string {
  if (typeof raw !== 'string') return '?';
  const trimmed = raw.trim();
  return /^[0-9*]$/.test(trimmed) ? trimmed : '?';
}

export interface CompiledFlow {
  machine: FlowMachine;
  /** Failed prompts allowed at a menu (the flow's `retries`). */
  maxRetries: number;
}

export function startCall(
  flow: CompiledFlow,
  world: { at: number; closures?: readonly EmergencyClosure[] },
  lang = DEFAULT_LANGUAGE,
): StepResult {
  const [snapshot, actions] = initialTransition(flow.machine, { lang, ...world });
  return result(snapshot, actions);
}

export function stepCall(flow: CompiledFlow, state: CallState, event: Exclude<FlowEvent, { type: 'CALL' }>): StepResult {
  const restored = flow.machine.resolveState({
    value: state.node,
    context: { retries: state.retries, lang: state.lang, heard: state.heard, maxRetries: flow.maxRetries },
  });
  const [snapshot, actions] = transition(flow.machine, restored, event);
  return result(snapshot, actions);
}

/** Is this a node where a call waits for the caller (so a step can continue from it)? */
export function isResumable(flow: CompiledFlow, node: string): boolean {
  const states = flow.machine.config.states as Record<string, { type?: string; on?: unknown }> | undefined;
  const def = states?.[node];
  return def !== undefined && def.on !== undefined;
}

function result(
  snapshot: { value: unknown; status: string; context: { retries: number; lang: string; heard: string[] } },
  actions: readonly { type: string; params?: unknown }[],
): StepResult {
  const node = String(snapshot.value);
  const flowActions = actions.filter(isFlowAction).map((a) => ({ type: a.type, ...(a.params as object | undefined) }) as FlowAction);
  return {
    state: {
      node: node.endsWith(OPEN_SUFFIX) ? node.slice(0, -OPEN_SUFFIX.length) : node,
      retries: snapshot.context.retries,
      lang: snapshot.context.lang,
      heard: snapshot.context.heard,
    },
    actions: flowActions,
    done: snapshot.status === 'done',
  };
}
