// `infoline consent export`: the consent log as JSON lines or CSV — rows only on stdout.
import { CONSENT_FIELDS, type ConsentRecord } from '../consent/record.js';
import { withStores } from './config.js';
import { UsageError, type CliIo } from './io.js';
import { parseInstant } from './time.js';

export interface ExportOptions {
  since?: string | undefined;
  format?: string | undefined;
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double inner quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLines(rows: readonly ConsentRecord[]): string {
  const lines = [CONSENT_FIELDS.join(','), ...rows.map((r) => CONSENT_FIELDS.map((f) => csvField(String(r[f]))).join(','))];
  return lines.map((l) => `${l}\r\n`).join('');
}

export function jsonLines(rows: readonly ConsentRecord[]): string {
  return rows.map((r) => `${JSON.stringify(Object.fromEntries(CONSENT_FIELDS.map((f) => [f, r[f]])))}\n`).join('');
}

export async function runConsentExport(io: CliIo, opts: ExportOptions): Promise<number> {
  const format = opts.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format "${format}" is not supported (use jsonl or csv)`);
  const since = opts.since !== undefined ? new Date(parseInstant(opts.since, '--since')).toISOString() : undefined;
  const rows = await withStores(io, (stores) => stores.consentLog.list(since !== undefined ? { since } : {}));
  io.out(format === 'csv' ? csvLines(rows) : jsonLines(rows));
  io.err(`infoline: exported ${rows.length} consent row${rows.length === 1 ? '' : 's'}${since ? ` since ${since}` : ''}\n`);
  return 0;
}
