// Compiles a flow definition into an XState v5 machine. Guards and actions are named in
// setup(); the one guard that needs the outside world (is a schedule open at this instant?)
// is supplied by the caller, so the machine stays pure and time comes in with each event.
import { assign, setup } from 'xstate';
import type { EmergencyClosure } from '../hours/types.js';
import type { FlowFile, FlowNode, RouteNode } from './schema.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';

/** Where a call is between two webhooks. Small on purpose: it rides in the callback URL. */
export interface CallState {
  node: string;
  /** Failed prompts so far at the current menu. */
  retries: number;
  lang: string;
  /** Menus whose intro (e.g. the consent notice) the caller has already heard. */
  heard: string[];
}

/** Every event carries the instant it happened and the emergency closures in force then. */
interface EventWorld {
  at: number;
  closures?: readonly EmergencyClosure[] | undefined;
}

export type FlowEvent =
  ({ type: 'CALL' } & EventWorld) | ({ type: 'DIGIT'; digit: string } & EventWorld) | ({ type: 'NO_INPUT' } & EventWorld);

export type MenuFailure = 'invalid' | 'noInput';

/** What the caller should hear or where they go, in order. Rendered to TwiML by telephony/. */
export type FlowAction =
  | { type: 'say'; keys: string[]; lang: string; schedule?: string | undefined }
  | { type: 'menuFailure'; failure: MenuFailure; lang: string }
  | { type: 'gather'; node: string; keys: string[]; lang: string; timeout?: number | undefined }
  | { type: 'recordConsent'; decision: 'granted' | 'declined'; route: string; lang: string }
  | { type: 'connect'; node: string; queue: string; consent: boolean; lang: string }
  | { type: 'identify'; node: string; lang: string }
  | { type: 'hangup' };

export interface FlowImplementations {
  /** Is the schedule open at `at` (ms since epoch)? Supplied where the app is composed. */
  isOpen(schedule: string, at: number, closures: readonly EmergencyClosure[]): boolean;
}

interface Context extends Omit<CallState, 'node'> {
  maxRetries: number;
}

const ACTION_TYPES = ['say', 'menuFailure', 'gather', 'recordConsent', 'connect', 'identify', 'hangup'] as const;

/** Marker for the state a scheduled route enters when its schedule is open. */
export const OPEN_SUFFIX = '@open';

export function compileMachine(flow: FlowFile, impl: FlowImplementations) {
  const states: Record<string, object> = {};
  for (const [id, node] of Object.entries(flow.nodes)) {
    Object.assign(states, nodeStates(id, node));
  }
  const noop = () => undefined;
  return setup({
    types: {
      context: {} as Context,
      events: {} as FlowEvent,
      input: {} as (Partial<CallState> & Partial<EventWorld>) | undefined,
    },
    guards: {
      digitIs: ({ event }, params: { digit: string }) => event.type === 'DIGIT' && event.digit === params.digit,
      retriesLeft: ({ context }) => context.retries + 1 < context.maxRetries,
      isOpen: ({ event }, params: { schedule: string }) => {
        const world = eventWorld(event);
        return impl.isOpen(params.schedule, world.at, world.closures ?? []);
      },
    },
    actions: {
      // Output-only actions: transition() hands them back; telephony/ renders them.
      say: noop,
      menuFailure: noop,
      gather: noop,
      recordConsent: noop,
      connect: noop,
      identify: noop,
      hangup: noop,
      countFailure: assign({ retries: ({ context }) => context.retries + 1 }),
      resetRetries: assign({ retries: 0 }),
      markHeard: assign({
        heard: ({ context }, params: { node: string }) =>
          context.heard.includes(params.node) ? context.heard : [...context.heard, params.node],
      }),
      setLanguage: assign({ lang: (_, params: { lang: string }) => params.lang }),
    },
  }).createMachine({
    id: 'infoline',
    initial: flow.start,
    context: ({ input }) => ({
      retries: input?.retries ?? 0,
      lang: input?.lang ?? DEFAULT_LANGUAGE,
      heard: input?.heard ?? [],
      maxRetries: flow.retries,
    }),
    // Typed loosely on purpose: the states object is generated from YAML.
    states: states as never,
  });
}

export type FlowMachine = ReturnType<typeof compileMachine>;

export function isFlowAction(action: { type: string }): boolean {
  return (ACTION_TYPES as readonly string[]).includes(action.type);
}

/** The instant (and closures) of the step: events carry them; the initial step carries them in its input. */
function eventWorld(event: unknown): EventWorld {
  const e = event as Partial<EventWorld> & { input?: Partial<EventWorld> };
  return { at: e.at ?? e.input?.at ?? Number.NaN, closures: e.closures ?? e.input?.closures };
}

type Params = (args: { context: Context }) => Record<string, unknown>;
const withLang =
  (params: Record<string, unknown>): Params =>
  ({ context }) => ({ ...params, lang: context.lang });

/** What a route does when the call reaches it: its prompts, the consent, the connection. */
export function routeActions(id: string, node: RouteNode, lang: string): FlowAction[] {
  return [
    ...(node.prompts.length > 0 ? [{ type: 'say' as const, keys: node.prompts, lang }] : []),
    ...(node.consent ? [{ type: 'recordConsent' as const, decision: 'granted' as const, route: id, lang }] : []),
    { type: 'connect', node: id, queue: node.queue, consent: node.consent, lang },
  ];
}

function nodeStates(id: string, node: FlowNode): Record<string, object> {
  switch (node.kind) {
    case 'menu': {
      const failure = (failureKind: MenuFailure, exhausted: string) => [
        {
          guard: 'retriesLeft',
          target: id,
          reenter: true,
          actions: ['countFailure', { type: 'menuFailure', params: withLang({ failure: failureKind }) }],
        },
        { target: exhausted, actions: ['resetRetries'] },
      ];
      const options = Object.entries(node.options).map(([digit, target]) => ({
        guard: { type: 'digitIs', params: { digit } },
        target,
        actions: ['resetRetries'],
      }));
      return {
        [id]: {
          entry: [
            {
              type: 'gather',
              params: ({ context }: { context: Context }) => ({
                node: id,
                keys: context.heard.includes(id) ? node.prompts : [...node.intro, ...node.prompts],
                lang: context.lang,
                ...(node.timeout !== undefined ? { timeout: node.timeout } : {}),
              }),
            },
            { type: 'markHeard', params: { node: id } },
          ],
          on: {
            DIGIT: [
              ...options,
              { guard: { type: 'digitIs', params: { digit: '*' } }, target: id, reenter: true },
              ...failure('invalid', node.onExhausted),
            ],
            NO_INPUT: failure('noInput', node.onExhausted),
            CALL: { target: id, reenter: true },
          },
        },
      };
    }
    case 'route': {
      // With identify, the identification dialogue (src/identity, /voice/identify) takes the
      // call from here and ends with the same actions (routeActions), so the machine stays small.
      const entry: FlowAction[] = node.identify ? [{ type: 'identify', node: id, lang: '' }] : routeActions(id, node, '');
      const connected = {
        type: 'final',
        entry: entry.map(({ type, ...params }) => ({ type, params: withLang(params) })),
      };
      if (node.schedule === undefined || node.closed === undefined) return { [id]: connected };
      return {
        [id]: {
          always: [
            { guard: { type: 'isOpen', params: { schedule: node.schedule } }, target: `${id}${OPEN_SUFFIX}` },
            { target: node.closed },
          ],
        },
        [`${id}${OPEN_SUFFIX}`]: connected,
      };
    }
    case 'say':
      return {
        [id]: {
          entry: [{ type: 'say', params: withLang({ keys: node.prompts, schedule: node.schedule }) }],
          always: { target: node.next },
        },
      };
    case 'language':
      return {
        [id]: {
          entry: [{ type: 'setLanguage', params: { lang: node.language } }],
          always: { target: node.next },
        },
      };
    case 'goodbye':
      return {
        [id]: {
          type: 'final',
          entry: [
            ...(node.consent === 'declined' ? [{ type: 'recordConsent', params: withLang({ decision: 'declined', route: 'none' }) }] : []),
            { type: 'say', params: withLang({ keys: node.prompts }) },
            { type: 'hangup' },
          ],
        },
      };
  }
}
