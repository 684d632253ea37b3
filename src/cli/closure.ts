// `infoline close` / `infoline reopen`: the emergency switch of a schedule. A running server
// reads closures on every request, so the change is in force at its next call.
import { LINE_CLOSURE_ID } from '../call/line.js';
import type { EmergencyClosure } from '../store/ports.js';
import { auditCli } from './audit.js';
import { loadCompiled, withStores } from './config.js';
import { CliError, UsageError, type CliIo } from './io.js';
import { CLI_ZONE, localText, parseUntil } from './time.js';

export interface CloseOptions {
  until?: string | undefined;
  reason?: string | undefined;
}

function knownSchedule(io: CliIo, schedule: string): void {
  if (schedule === LINE_CLOSURE_ID) return; // the whole line, not a schedule of config/hours.yaml
  const config = loadCompiled(io);
  const known = Object.keys(config.bundle.hours.schedules);
  if (!known.includes(schedule)) {
    throw new CliError(`no schedule "${schedule}" in config/hours.yaml (known: ${known.join(', ')})`);
  }
}

export async function runClose(io: CliIo, schedule: string, opts: CloseOptions): Promise<number> {
  if (opts.until === undefined || opts.until.trim() === '') throw new UsageError('close needs --until <ISO time or duration like 2h>');
  const reason = opts.reason?.trim() ?? '';
  if (reason === '') throw new UsageError('close needs --reason <text> (callers hear it)');
  const now = io.now();
  // Whole seconds: nobody needs the milliseconds of a closure's end.
  const until = Math.round(parseUntil(opts.until, now) / 1000) * 1000;
  if (until <= now) throw new UsageError(`--until ${new Date(until).toISOString()} is already in the past`);
  knownSchedule(io, schedule);
  const closure: EmergencyClosure = { schedule, until: new Date(until).toISOString(), reason, since: new Date(now).toISOString() };
  await auditCli(io, { action: 'closure.set', target: schedule, details: { until: closure.until, reason } });
  await withStores(io, (stores) => stores.switches.setClosure(closure));
  io.out(`closed ${schedule} until ${closure.until} (${localText(until)} ${CLI_ZONE}): ${reason}\n`);
  return 0;
}

export async function runReopen(io: CliIo, schedule: string): Promise<number> {
  knownSchedule(io, schedule);
  await auditCli(io, { action: 'closure.clear', target: schedule });
  const removed = await withStores(io, (stores) => stores.switches.clearClosure(schedule));
  io.out(removed ? `reopened ${schedule}: emergency closure removed\n` : `${schedule} had no emergency closure; nothing changed\n`);
  return 0;
}
