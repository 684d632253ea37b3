// The report as a supervisor reads it (table) or a script reads it (json: one object; csv:
// one `figure,value` row per number, dotted names such as queues.insurance.answered).
import type { Report } from './report.js';

export type ReportFormat = 'table' | 'json' | 'csv';

export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Every figure of the report flattened to [dotted name, value] in the JSON's order. */
export function reportFigures(report: Report): [string, number | null][] {
  const out: [string, number | null][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix === '' ? k : `${prefix}.${k}`, v);
    } else {
      out.push([prefix, typeof value === 'number' ? value : null]);
    }
  };
  walk('', report);
  return out;
}

export function reportCsv(report: Report): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = reportFigures(report).map(([name, value]) => `${field(name)},${value === null ? '' : String(value)}`);
  return ['figure,value', ...rows].map((l) => `${l}\r\n`).join('');
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const num = (v: number | null) => (v === null ? '–' : String(v));

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A blank line, a heading and calls per key; `(none)` for no rows unless the table is always shown. */
function countSection(heading: string, column: string, counts: Record<string, number>, always = false): string[] {
  const rows = Object.entries(counts).map(([k, v]) => [k, String(v)]);
  return ['', heading, rows.length === 0 && !always ? '(none)' : table([column, 'calls'], rows)];
}

export function reportTable(report: Report, title: string): string {
  const parts: string[] = [title, ''];
  parts.push(`Hovory (calls)                        ${report.calls}`);
  parts.push(`Odmítli nahrávání (declined)          ${report.declined}`);
  parts.push(`Zavěsili v menu (abandoned in menu)   ${report.abandonedInMenu}`);
  parts.push(...countSection('Volby v hlavním menu (choices)', 'key', report.choices, true));
  parts.push(...countSection('Zavřeno (closed, by schedule)', 'schedule', report.closed));
  parts.push(...countSection('Zavěsili v menu podle uzlu (abandoned by node)', 'node', report.abandonedByNode));
  const queues = Object.entries(report.queues);
  parts.push('', `Fronty (queues; service level = answered within ${report.serviceLevelSeconds} s)`);
  parts.push(
    queues.length === 0
      ? '(none)'
      : table(
          ['queue', 'entered', 'answered', 'abandoned', 'messages', 'callbacks', 'waitP50', 'waitP90', 'serviceLevel'],
          queues.map(([id, q]) => [
            id,
            String(q.entered),
            String(q.answered),
            String(q.abandoned),
            String(q.messages),
            String(q.callbacks),
            num(q.waitP50),
            num(q.waitP90),
            pct(q.serviceLevel),
          ]),
        ),
  );
  return `${parts.join('\n')}\n`;
}
