// What an API group of the console (a file of routes registered from plugin.ts) gets from the
// plugin: the stores, the clock, and the plugin's guards, so every group checks sign-in, roles
// and CSRF the same way.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConfigBundle } from '../config/bundle.js';
import { parseInstant } from '../hours/time-input.js';
import type { AuditEntry, AuditLog } from './audit.js';
import type { ApiErrorBody } from './contracts/session.js';
import type { ConsoleOptions } from './plugin.js';
import type { Permission } from './users.js';

/**
 * An answer the page words: `code` names a message in the page's catalogue
 * (web/src/messages.ts), `params` fill it in; `error` is the English text for scripts and logs.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code = 'error',
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

/** Refuses a request with the console's error body: the page words it by `code`. */
export function refuse(reply: FastifyReply, status: number, body: ApiErrorBody): FastifyReply {
  return reply.code(status).send(body);
}

export type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface ConsoleContext {
  opts: ConsoleOptions;
  now: () => number;
  audit: AuditLog;
  requireUser: Guard;
  requirePermission(permission: Permission, action: string): Guard;
  csrfCheck: FastifyInstance['csrfProtection'];
  record(req: FastifyRequest, entry: Omit<AuditEntry, 'at' | 'who' | 'role' | 'ip'> & { who?: string }): Promise<void>;
  /** Does an audited action; if it then fails, a second audit line says so. */
  afterAudit<T>(req: FastifyRequest, action: string, target: string, act: () => Promise<T>): Promise<T>;
}

/** The config being served, or 503 while none is loaded. */
export function currentBundle(ctx: ConsoleContext): ConfigBundle {
  const config = ctx.opts.registry.current;
  if (!config) throw new HttpError(503, 'no configuration loaded', 'config.missing');
  return config.bundle;
}

/** "2026-11-27" (a Prague day) or any time parseInstant accepts; `end` makes a date inclusive. */
export function dayOrInstant(value: string, option: string, end: boolean): number {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = parseInstant(text, option);
    return end ? parseInstant(new Date(start + 36 * 3600_000).toISOString().slice(0, 10), option) : start;
  }
  return parseInstant(text, option);
}
