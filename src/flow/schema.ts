// Schema of flows/*.yaml: the nodes of the call flow. Cross-file rules (queues, schedules,
// prompt keys) live in src/config/rules.ts; rules about the flow alone are here.
import { z } from 'zod';

export const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export type Digit = (typeof DIGITS)[number];

// Wrong types and missing values get their plain message from the config loader's error map.
const nodeId = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a node name (lowercase letters, digits, _)` });
const promptKey = z
  .string()
  .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a prompt key (e.g. menu.1)` });
const digit = z.enum(DIGITS, { error: (iss) => `${JSON.stringify(iss.input)} is not a key 0–9` });

export const MENU_TIMEOUT_MIN = 3;
export const MENU_TIMEOUT_MAX = 30;

const menuNode = z.strictObject({
  kind: z.literal('menu'),
  intro: z.array(promptKey).default([]),
  prompts: z.array(promptKey).min(1, { error: 'a menu needs at least one prompt' }),
  options: z.partialRecord(digit, nodeId),
  /** Digits deliberately left unmapped (answered as a wrong key). */
  invalid: z.array(digit).default([]),
  onExhausted: nodeId,
  /** Seconds of silence after the menu before it counts as "no input" (default 7). */
  timeout: z.number().int().min(MENU_TIMEOUT_MIN).max(MENU_TIMEOUT_MAX).optional(),
});

const routeNode = z.strictObject({
  kind: z.literal('route'),
  queue: z.string().min(1),
  /** Choosing this route is the caller's consent to recording. */
  consent: z.boolean(),
  schedule: z.string().optional(),
  closed: nodeId.optional(),
  prompts: z.array(promptKey).default([]),
  /** Ask for the insured number (and date of birth) before consent and queue. */
  identify: z.boolean().default(false),
});

const sayNode = z.strictObject({
  kind: z.literal('say'),
  prompts: z.array(promptKey).min(1),
  schedule: z.string().optional(),
  next: nodeId,
});

const languageNode = z.strictObject({
  kind: z.literal('language'),
  language: z.string().regex(/^[a-z]{2}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a language code (e.g. cs, en)` }),
  next: nodeId,
});

const goodbyeNode = z.strictObject({
  kind: z.literal('goodbye'),
  prompts: z.array(promptKey).min(1),
  consent: z.literal('declined').optional(),
});

const KINDS = 'menu, route, say, language, goodbye';

export const flowNodeSchema = z.discriminatedUnion('kind', [menuNode, routeNode, sayNode, languageNode, goodbyeNode], {
  error: (iss) => {
    // A node written as a plain value (e.g. `insurance: route`) is a type error, not a union one.
    if ((iss.code as string) === 'invalid_type')
      return iss.input === undefined ? undefined : `must be a node (a mapping with kind: ${KINDS})`;
    if (iss.code !== 'invalid_union') return undefined;
    const kind = (iss.input as { kind?: unknown } | undefined)?.kind;
    return kind === undefined || kind === null ? `is required: one of ${KINDS}` : `must be one of ${KINDS}, got ${JSON.stringify(kind)}`;
  },
});

export const flowFileSchema = z
  .strictObject({
    start: nodeId,
    /** Failed prompts (no input, wrong key) before the caller is put through to a person. */
    retries: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' })
      .max(5, { error: 'must be at most 5 (callers must reach a person quickly)' }),
    /** The prompt key of the consent notice that a consent refers to. */
    notice: promptKey,
    nodes: z.record(nodeId, flowNodeSchema),
  })
  .superRefine((flow, ctx) => {
    const ids = new Set(Object.keys(flow.nodes));
    const ref = (target: string | undefined, path: PropertyKey[]) => {
      if (target !== undefined && !ids.has(target)) {
        ctx.addIssue({ code: 'custom', message: `no node named "${target}"`, path });
      }
    };
    ref(flow.start, ['start']);
    for (const [id, node] of Object.entries(flow.nodes)) {
      const at = (...rest: PropertyKey[]) => ['nodes', id, ...rest];
      switch (node.kind) {
        case 'menu': {
          for (const [d, target] of Object.entries(node.options)) ref(target, at('options', d));
          ref(node.onExhausted, at('onExhausted'));
          for (const d of DIGITS) {
            const mapped = node.options[d] !== undefined;
            const invalid = node.invalid.includes(d);
            if (!mapped && !invalid) {
              ctx.addIssue({
                code: 'custom',
                message: `key ${d} goes nowhere: map it under options or list it under invalid (answered as a wrong key)`,
                path: at('options'),
              });
            }
            if (mapped && invalid) {
              ctx.addIssue({
                code: 'custom',
                message: `key ${d} is mapped under options and also listed under invalid; keep one`,
                path: at('invalid'),
              });
            }
          }
          break;
        }
        case 'route':
          if ((node.schedule === undefined) !== (node.closed === undefined)) {
            ctx.addIssue({
              code: 'custom',
              message:
                node.schedule === undefined
                  ? 'closed needs a schedule (closed says where to go while that schedule is closed)'
                  : 'schedule needs closed: the node to go to while the schedule is closed',
              path: at(node.schedule === undefined ? 'closed' : 'schedule'),
            });
          }
          ref(node.closed, at('closed'));
          break;
        case 'say':
        case 'language':
          ref(node.next, at('next'));
          break;
        case 'goodbye':
          break;
      }
    }
  });

export type FlowFile = z.infer<typeof flowFileSchema>;
export type FlowNode = z.infer<typeof flowNodeSchema>;
export type MenuNode = z.infer<typeof menuNode>;
export type RouteNode = z.infer<typeof routeNode>;
