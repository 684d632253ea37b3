// `infoline graph`: the call flow as a Mermaid flowchart. Every key 0–9 and * of every menu
// is on an edge label, so a reviewer sees at a glance that nothing is a dead end.
import type { ConfigBundle } from '../config/bundle.js';
import { DIGITS } from './schema.js';
import { resolveQueue } from '../telephony/queues-schema.js';

/** Mermaid-safe quoted label: quotes and markup characters as entity codes. */
export function mermaidLabel(text: string): string {
  const escaped = text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/[\r\n]+/g, ' ');
  return `"${escaped}"`;
}

/** Node ids get a prefix: a flow node called "end" or "graph" would otherwise break Mermaid. */
const nid = (id: string) => `n_${id}`;
const qid = (id: string) => `q_${id}`;

export function flowGraph(bundle: ConfigBundle): string {
  const { flow } = bundle;
  const lines: string[] = ['flowchart TD'];
  const edges: string[] = [];
  const edge = (from: string, to: string, label?: string) =>
    edges.push(label === undefined ? `  ${from} --> ${to}` : `  ${from} -->|${mermaidLabel(label)}| ${to}`);
  const queues = new Set<string>();
  let hangup = false;

  lines.push(`  incoming_call((${mermaidLabel('incoming call')}))`);
  edge('incoming_call', nid(flow.start));
  for (const [id, node] of Object.entries(flow.nodes)) {
    switch (node.kind) {
      case 'menu': {
        lines.push(`  ${nid(id)}{{${mermaidLabel(`${id}: menu`)}}}`);
        for (const d of DIGITS) {
          const target = node.options[d];
          if (target !== undefined) edge(nid(id), nid(target), d);
        }
        edge(nid(id), nid(id), '* repeat');
        const wrong = DIGITS.filter((d) => node.options[d] === undefined);
        if (wrong.length > 0) edge(nid(id), nid(id), `${wrong.join(',')} wrong key`);
        edge(nid(id), nid(id), 'other key or silence: retry');
        edge(nid(id), nid(node.onExhausted), `wrong key / silence ${flow.retries}× (exhausted)`);
        break;
      }
      case 'route': {
        const q = resolveQueue(bundle.queues, node.queue);
        const where = q?.dial !== undefined ? `dial ${q.dial}` : `queue ${q?.queue ?? node.queue}`;
        const notes = [...(node.identify ? ['identifies caller'] : []), ...(node.consent ? ['consent, recorded'] : [])];
        lines.push(`  ${nid(id)}[${mermaidLabel(`${id}: route${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`)}]`);
        if (!queues.has(node.queue)) {
          queues.add(node.queue);
          lines.push(`  ${qid(node.queue)}([${mermaidLabel(where)}])`);
        }
        if (node.schedule !== undefined && node.closed !== undefined) {
          edge(nid(id), qid(node.queue), `open (${node.schedule})`);
          edge(nid(id), nid(node.closed), `closed (${node.schedule})`);
        } else {
          edge(nid(id), qid(node.queue));
        }
        break;
      }
      case 'say':
        lines.push(`  ${nid(id)}[/${mermaidLabel(`${id}: say ${node.prompts.join(', ')}`)}/]`);
        edge(nid(id), nid(node.next), 'next');
        break;
      case 'language':
        lines.push(`  ${nid(id)}[${mermaidLabel(`${id}: language ${node.language}`)}]`);
        edge(nid(id), nid(node.next), 'next');
        break;
      case 'goodbye':
        lines.push(`  ${nid(id)}[/${mermaidLabel(`${id}: goodbye${node.consent === 'declined' ? ' (consent declined)' : ''}`)}/]`);
        edge(nid(id), 'hangup', 'end');
        hangup = true;
        break;
    }
  }
  if (hangup) lines.push(`  hangup((${mermaidLabel('hang up')}))`);
  return `${[...lines, ...edges].join('\n')}\n`;
}
