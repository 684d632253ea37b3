// The command line: commander wiring, exit codes (0 ok, 1 failure, 2 usage), and the rule
// that users see `infoline: <message>`, never a stack trace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { loadCompiled } from './config.js';
import { runClose, runReopen } from './closure.js';
import { runConsentExport } from './consent.js';
import { runFallbackTwiml } from './fallback.js';
import { runConsentNotice } from './notice.js';
import { runReport, type ReportOptions } from './report.js';
import { flowGraph } from '../flow/graph.js';
import { runHours } from './hours.js';
import { CliError, errorText, type CliIo } from './io.js';
import { runSimulate } from './simulate.js';
import { runValidate } from './validate.js';
import { packageRoot } from '../config/load.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import { registerUserCommands } from './users.js';
import { actionRunner } from './action.js';
import { registerCallbackCommands } from './callbacks.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('infoline');
  const run = actionRunner(setExit);
  program
    .description(
      'OZP infoline supervisor tools: check the configuration, play calls, draw the flow, opening hours, emergency closures, consent export',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpCommand(true)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(s.startsWith('error: ') ? `infoline: ${s.slice('error: '.length)}` : s),
    })
    .addHelpText(
      'after',
      '\nEnvironment: INFOLINE_CONFIG_DIR (flows/, prompts/, config/), DATABASE_URL, REDIS_URL, LOG_LEVEL.\nTimes without a zone are Europe/Prague local time.\n',
    );

  program
    .command('validate')
    .description('check flows/, prompts/ and config/: every error as <file>:<line> <path>: <message>, or a one-line summary')
    .action(run(() => runValidate(io)));

  program
    .command('simulate')
    .description('play one call through the real webhooks at a given time (consents are not stored)')
    .option('--at <time>', 'when the call happens (2026-12-24T10:00 = Prague time, or ISO with Z/offset); default now')
    // Variadic: `--press 1 6808215469# 1 21081968#` (a typed number is one entry, ending with #).
    .option(
      '--press <keys...>',
      'keys pressed at each menu in order, e.g. 91 = 9 then 1; a typed number ends with #; after the last key the caller is silent',
    )
    .option('--lang <code>', 'language the call starts in (as POST /voice/incoming?l=<code>)', DEFAULT_LANGUAGE)
    .option('--json', 'print one JSON document instead of text')
    .addOption(new Option('--from <number>', 'caller number').hideHelp())
    .action(
      run((opts: { at?: string; press?: string[]; lang?: string; json?: boolean; from?: string }) =>
        runSimulate(io, { ...opts, press: opts.press?.join(' ') ?? '' }),
      ),
    );

  program
    .command('graph')
    .description('print the call flow as a Mermaid flowchart (render at https://mermaid.live or with npx @mermaid-js/mermaid-cli)')
    .action(
      run(() => {
        io.out(flowGraph(loadCompiled(io).bundle));
        return 0;
      }),
    );

  program
    .command('fallback-twiml')
    .description("print the fallback TwiML (apology, then the general line) for the number's Fallback URL on a static host (TwiML Bin)")
    .action(run(() => runFallbackTwiml(io)));

  program
    .command('hours')
    .description('opening hours per schedule and day, with holidays, closures and emergency closures')
    .option('--from <time>', 'first day (default: today)')
    .option('--days <n>', 'number of days', '14')
    .action(run((opts: { from?: string; days?: string }) => runHours(io, opts)));

  program
    .command('close')
    .description('emergency closure: close a schedule (or "line": the whole line) now, until a time or for a duration')
    .argument('<schedule>', 'schedule id from config/hours.yaml, e.g. spa')
    .requiredOption('--until <time|duration>', 'end of the closure: ISO time or a duration like 2h, 30m, 1d, PT2H')
    .requiredOption('--reason <text>', 'why (callers hear it)')
    .action(run((schedule: string, opts: { until?: string; reason?: string }) => runClose(io, schedule, opts)));

  program
    .command('reopen')
    .description('end an emergency closure now')
    .argument('<schedule>', 'schedule id, e.g. spa')
    .action(run((schedule: string) => runReopen(io, schedule)));

  const consent = program.command('consent').description('the consent log').exitOverride();
  consent
    .command('export')
    .description('print consent rows (JSON lines or CSV) from the log DATABASE_URL names')
    .option('--since <time>', 'only rows at or after this time')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .action(run((opts: { since?: string; format?: string }) => runConsentExport(io, opts)));
  consent
    .command('notice')
    .description("print the exact text of a consent notice version (a consent row's noticeVersion)")
    .argument('<version>', '12 hex digits')
    .action(run((version: string) => runConsentNotice(io, version)));

  program
    .command('report')
    .description('call figures of the calls that started in [--from, --to): choices, closed teams, abandonment, queues')
    .option('--from <date|time>', 'first day (2026-11-30 = Prague midnight) or an ISO instant; default today')
    .option('--to <date|time>', 'end, exclusive; default the day after --from')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(run((opts: ReportOptions) => runReport(io, opts)));

  registerCallbackCommands(program, io, setExit);

  // `infoline user add <name> --role …`: console users (owned by the console).
  registerUserCommands(program, { io });

  return program;
}

/** Runs the CLI with `args` (without node and script); resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    if (args.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; everything else commander reports is a usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      io.err(`infoline: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`infoline: ${errorText(err)}\n`);
    return 1;
  }
}
