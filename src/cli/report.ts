// `infoline report`: the call figures of a period from the journeys in DATABASE_URL's store.
// Only the report goes to stdout (json: one object), diagnostics to stderr.
import { DateTime } from 'luxon';
import { reportCsv, reportJson, reportTable } from '../report/format.js';
import { DEFAULT_SERVICE_LEVEL_SECONDS, journeyReport } from '../report/report.js';
import { loadCompiled, withStores } from './config.js';
import { UsageError, type CliIo } from './io.js';
import { CLI_ZONE, localText, parseInstant } from './time.js';

export interface ReportOptions {
  from?: string | undefined;
  to?: string | undefined;
  format?: string | undefined;
}

export async function runReport(io: CliIo, opts: ReportOptions): Promise<number> {
  const format = opts.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'csv')
    throw new UsageError(`--format "${format}" is not supported (use table, json or csv)`);
  // Dates are Prague days: --from 2026-11-30 is Prague midnight; the default is today.
  const today = DateTime.fromMillis(io.now(), { zone: CLI_ZONE }).startOf('day');
  const from = opts.from !== undefined ? parseInstant(opts.from, '--from') : today.toMillis();
  const to =
    opts.to !== undefined
      ? parseInstant(opts.to, '--to')
      : DateTime.fromMillis(from, { zone: CLI_ZONE }).plus({ days: 1 }).startOf('day').toMillis();
  if (to <= from) throw new UsageError('--to must be later than --from');
  const serviceLevelSeconds = loadCompiled(io).bundle.queues.defaults.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS;
  const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  const events = await withStores(io, (stores) => stores.journeys.callsStarted(range.from, range.to));
  const report = journeyReport(events, range, serviceLevelSeconds);
  if (format === 'json') io.out(reportJson(report));
  else if (format === 'csv') io.out(reportCsv(report));
  else io.out(reportTable(report, `Infoline ${localText(from)} – ${localText(to)} (${CLI_ZONE})`));
  io.err(`infoline: ${report.calls} call${report.calls === 1 ? '' : 's'} started in [${range.from}, ${range.to})\n`);
  return 0;
}
