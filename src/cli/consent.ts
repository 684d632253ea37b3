// `infoline consent export`: the consent log as JSON lines or CSV — rows only on stdout.
import { csvLines, jsonLines } from '../consent/export.js';
import { withStores } from './config.js';
import { UsageError, type CliIo } from './io.js';
import { parseInstant } from './time.js';

export interface ExportOptions {
  since?: string | undefined;
  format?: string | undefined;
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
