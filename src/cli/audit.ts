// The CLI's writes (close, reopen, user add/remove) go to the console's audit log too, so a
// supervisor's audit view shows every change however it was made. Written first: a change
// that cannot be recorded is not made (the command fails, nothing changed).
import { userInfo } from 'node:os';
import { AuditLog, type AuditEntry } from '../console/audit.js';
import { parseEnv, type RawEnv } from '../config/env.js';
import { CliError, errorText, type CliIo } from './io.js';

/** The audit log the server writes: CONSOLE_AUDIT_LOG, else ./data/console-audit.log. */
export function auditLogPath(env: RawEnv): string {
  return parseEnv(env, ['CONSOLE_AUDIT_LOG']).CONSOLE_AUDIT_LOG;
}

function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export async function auditCli(
  io: CliIo,
  entry: Pick<AuditEntry, 'action' | 'target'> & { result?: AuditEntry['result']; details?: Record<string, unknown> },
): Promise<void> {
  const path = auditLogPath(io.env);
  try {
    await new AuditLog(path).write({
      at: new Date(io.now()).toISOString(),
      who: operator(),
      role: null,
      action: entry.action,
      target: entry.target,
      result: entry.result ?? 'ok',
      ...(entry.details ? { details: entry.details } : {}),
    });
  } catch (err) {
    throw new CliError(`cannot write the audit log ${path} (CONSOLE_AUDIT_LOG): ${errorText(err)}; nothing changed`);
  }
}
