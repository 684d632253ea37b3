// `infoline callbacks [--status …] [--format jsonl|csv]` and `infoline callbacks cancel <id>`:
// callback requests from the store DATABASE_URL names — rows only on stdout, numbers masked.
import { Option, type Command } from 'commander';
import { CALLBACK_FIELDS, callbackRow } from '../callback/row.js';
import type { CallbackStatus } from '../store/callback-port.js';
import { csvField } from '../consent/export.js';
import { withStores } from './config.js';
import { CliError, type CliIo } from './io.js';
import { actionRunner } from './action.js';

export const CLI_STATUSES = ['pending', 'done', 'failed', 'cancelled', 'all'] as const;

export async function listCallbacks(io: CliIo, opts: { status?: string | undefined; format?: string | undefined }): Promise<number> {
  const status = (opts.status ?? 'pending') as (typeof CLI_STATUSES)[number];
  const rows = await withStores(io, async (stores) => {
    if (status === 'all') return stores.callbacks.list();
    if (status === 'pending')
      return [...(await stores.callbacks.list({ status: 'pending' })), ...(await stores.callbacks.list({ status: 'calling' }))];
    return stores.callbacks.list({ status: status as CallbackStatus });
  });
  rows.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
  const out = rows.map(callbackRow);
  if (opts.format === 'csv') {
    io.out(
      [CALLBACK_FIELDS.join(','), ...out.map((r) => CALLBACK_FIELDS.map((f) => csvField(String(r[f] ?? ''))).join(','))]
        .map((l) => `${l}\r\n`)
        .join(''),
    );
  } else {
    io.out(out.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
  io.err(`infoline: ${out.length} callback request${out.length === 1 ? '' : 's'} (${status})\n`);
  return 0;
}

export async function cancelCallback(io: CliIo, id: string): Promise<number> {
  const cancelled = await withStores(io, (stores) => stores.callbacks.cancel(id));
  if (!cancelled) throw new CliError(`no open callback request "${id}" (see: infoline callbacks --status all)`);
  io.err(`infoline: callback request ${id} cancelled\n`);
  return 0;
}

export function registerCallbackCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const run = actionRunner(setExit);
  const callbacks = program
    .command('callbacks')
    .description('callback requests (JSON lines or CSV, numbers masked) from the store DATABASE_URL names')
    .addOption(new Option('--status <status>', 'which requests').choices(CLI_STATUSES).default('pending'))
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .exitOverride()
    .action(run((opts: { status?: string; format?: string }) => listCallbacks(io, opts)));
  callbacks
    .command('cancel')
    .description('cancel an open callback request')
    .argument('<id>', 'the request id (first column of "infoline callbacks")')
    .action(run((id: string) => cancelCallback(io, id)));
}
