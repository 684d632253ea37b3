// Audit-first recording and the sign-in/role guards every API group uses (via ConsoleContext).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditUnavailableError, type AuditEntry, type AuditLog } from './audit.js';
import { refuse, type ConsoleContext } from './context.js';
import { can, type Permission } from './users.js';

export function consoleGuards(
  audit: AuditLog,
  now: () => number,
): Pick<ConsoleContext, 'record' | 'afterAudit' | 'requireUser' | 'requirePermission'> {
  // Audit first: every action is recorded before it is done; an unwritable audit log refuses it.
  const record = async (req: FastifyRequest, entry: Omit<AuditEntry, 'at' | 'who' | 'role' | 'ip'> & { who?: string }) => {
    const written = audit.write({
      at: new Date(now()).toISOString(),
      who: entry.who ?? req.consoleUser?.name ?? 'anonymous',
      role: req.consoleUser?.role ?? null,
      ip: req.ip,
      action: entry.action,
      target: entry.target,
      result: entry.result,
      ...(entry.details ? { details: entry.details } : {}),
    });
    try {
      await written;
    } catch (err) {
      req.log.error({ err, action: entry.action }, 'console audit log not writable; the action is refused');
      throw new AuditUnavailableError(err);
    }
  };

  /** Does an audited action; if it then fails, a second line says so (best effort). */
  const afterAudit = async <T>(req: FastifyRequest, action: string, target: string, act: () => Promise<T>): Promise<T> => {
    try {
      return await act();
    } catch (err) {
      await record(req, { action, target, result: 'failed' }).catch(() => undefined);
      throw err;
    }
  };

  const requireUser = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.consoleUser) return refuse(reply, 401, { error: 'sign in first', code: 'auth.required' });
  };
  const requirePermission = (permission: Permission, action: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const user = req.consoleUser;
    if (!user) return refuse(reply, 401, { error: 'sign in first', code: 'auth.required' });
    if (!can(user.role, permission)) {
      await record(req, { action, target: req.url, result: 'denied' });
      return refuse(reply, 403, {
        error: `the role "${user.role}" may not do this (${action})`,
        code: 'auth.forbidden',
        params: { role: user.role, action },
      });
    }
  };
  return { record, afterAudit, requireUser, requirePermission };
}
