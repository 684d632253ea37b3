// Cross-file rules of the callback settings (config/queues.yaml → config/hours.yaml).
import type { HoursFile } from '../hours/schema.js';
import { resolveQueue, type QueuesFile } from '../telephony/queues-schema.js';

interface RuleIssue {
  file: string;
  path: PropertyKey[];
  message: string;
}

const QUEUES = 'config/queues.yaml';

/** Every enabled callback names a schedule that exists; a queue placed by <Dial> has no hold to offer it in. */
export function callbackIssues(queues: QueuesFile, hours: HoursFile): RuleIssue[] {
  const out: RuleIssue[] = [];
  const known = (id: string) => hours.schedules[id] !== undefined;
  const d = queues.defaults.callback;
  if (d?.schedule !== undefined && !known(d.schedule)) {
    out.push({ file: QUEUES, path: ['defaults', 'callback', 'schedule'], message: `no schedule "${d.schedule}" in config/hours.yaml` });
  }
  for (const id of Object.keys(queues.queues)) {
    const own = queues.queues[id]?.callback;
    const resolved = resolveQueue(queues, id)?.callback;
    if (!resolved?.enabled) continue;
    if (own?.schedule !== undefined && !known(own.schedule)) {
      out.push({
        file: QUEUES,
        path: ['queues', id, 'callback', 'schedule'],
        message: `no schedule "${own.schedule}" in config/hours.yaml`,
      });
    } else if (own?.schedule === undefined && d?.schedule === undefined && !known(resolved.schedule)) {
      const path = own ? ['queues', id, 'callback'] : d ? ['defaults', 'callback'] : ['queues', id];
      out.push({
        file: QUEUES,
        path,
        message: `callbacks are enabled but config/hours.yaml has no schedule "${resolved.schedule}" (name one with schedule:)`,
      });
    }
  }
  const seen = new Set<string>();
  return out.filter((i) => {
    const k = `${i.path.join('.')}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
