// `infoline validate`: every problem of the config directory, one per line, or a summary.
import { formatIssue } from '../config/issues.js';
import { configDir } from '../config/env.js';
import { readIdentityEnv } from '../integrations/identity-webhook.js';
import type { ConfigBundle } from '../config/bundle.js';
import { validateDir } from './config.js';
import type { CliIo } from './io.js';

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function summary(bundle: ConfigBundle): string {
  return [
    `OK: config version ${bundle.version} — 1 flow`,
    plural(Object.keys(bundle.flow.nodes).length, 'node'),
    plural(Object.keys(bundle.prompts).length, 'language'),
    plural(Object.keys(bundle.queues.queues).length, 'queue'),
    plural(Object.keys(bundle.hours.schedules).length, 'schedule'),
  ].join(', ');
}

export function runValidate(io: CliIo): number {
  const dir = configDir(io.env);
  const built = validateDir(dir);
  // The service's identification settings are checked too: it would refuse to start on them.
  const identity = readIdentityEnv(io.env);
  const envProblems = identity.ok ? [] : [`environment: ${identity.message}`];
  if (built.ok && envProblems.length === 0) {
    io.out(`${summary(built.bundle)}\n`);
    return 0;
  }
  for (const line of envProblems) io.out(`${line}\n`);
  if (built.ok) {
    io.err(`infoline: the environment has ${plural(envProblems.length, 'error')}; the service would refuse to start\n`);
    return 1;
  }
  for (const issue of built.issues) io.out(`${formatIssue(issue)}\n`);
  io.err(
    `infoline: ${plural(built.issues.length, 'error')} in the configuration at ${dir}; the running service keeps its last good version\n`,
  );
  return 1;
}
