// Which steps of a flow depend on the clock (and on the emergency closures in force), worked
// out once from the flow definition. A step runs from where the call waits (or from the start)
// through eventless nodes until it waits again or ends; it depends on the clock when it can pass
// a route with a schedule (its open/closed guard) or a say with a schedule (closed-hours texts).
// The whole-line closure is decided at the edge before any step runs, so it never reaches here.
import type { FlowFile, FlowNode } from './schema.js';
import { hasOwn, ownValue } from '../util/own.js';

export type StepInput = { kind: 'start' } | { kind: 'digits'; digit: string } | { kind: 'noInput' };

export interface ClockDependence {
  /** Can the step from `node` (undefined: a new call) on `input` read a schedule? */
  step(node: string | undefined, input: StepInput): boolean;
}

export function clockDependence(flow: FlowFile): ClockDependence {
  const reads = new Map<string, boolean>();
  // Does entering `id` lead, without waiting for the caller, through a schedule?
  const entering = (id: string, seen: Set<string> = new Set()): boolean => {
    const known = reads.get(id);
    if (known !== undefined) return known;
    // A loop without a wait (validation rejects it) or an unknown node: assume the clock.
    if (seen.has(id)) return true;
    seen.add(id);
    const node = ownValue(flow.nodes, id);
    const result = node === undefined ? true : nodeReads(node, (next) => entering(next, seen));
    reads.set(id, result);
    return result;
  };
  return {
    step(nodeId, input) {
      const node = nodeId === undefined ? undefined : ownValue(flow.nodes, nodeId);
      if (input.kind === 'start' || node?.kind !== 'menu') return entering(flow.start);
      // A wrong key or silence either asks again (the menu itself) or, out of retries, goes on.
      if (input.kind === 'noInput') return entering(node.onExhausted);
      if (hasOwn(node.options, input.digit)) return entering(node.options[input.digit as keyof typeof node.options] as string);
      return input.digit === '*' ? false : entering(node.onExhausted);
    },
  };
}

function nodeReads(node: FlowNode, entering: (id: string) => boolean): boolean {
  switch (node.kind) {
    case 'menu':
      return false; // it waits for the caller
    case 'route':
      return node.schedule !== undefined && node.closed !== undefined;
    case 'say':
      return node.schedule !== undefined || entering(node.next);
    case 'language':
      return entering(node.next);
    case 'goodbye':
      return false;
  }
}
