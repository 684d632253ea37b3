// The console's audit log: one JSON object per line for every write (and every consent
// search or export): who, role, action, target, result, when. Appended in order; the caller
// waits until the line is written, so an action is never reported done without its record.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntry } from './contracts/session.js';

export { DEFAULT_AUDIT_LOG } from '../config/env.js';

/** One line of the log, as GET /api/audit also answers it. */
export type { AuditEntry };

/** Thrown when the audit line cannot be written: the console then does nothing (fail closed). */
export class AuditUnavailableError extends Error {
  readonly code = 'audit_unavailable';
  constructor(cause: unknown) {
    super('Auditní záznam nelze zapsat, akce proto nebyla provedena. Informujte správce služby.', { cause });
  }
}

export class AuditLog {
  private tail: Promise<void> = Promise.resolve();
  private dirReady: Promise<unknown> | undefined;

  constructor(readonly path: string) {}

  write(entry: AuditEntry): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    this.dirReady ??= mkdir(dirname(this.path), { recursive: true });
    const next = this.tail.then(async () => {
      await this.dirReady;
      await appendFile(this.path, line, { mode: 0o600 });
    });
    // One failed write must not block the ones after it; the writer still sees its own error.
    this.tail = next.catch(() => undefined);
    return next;
  }
}
