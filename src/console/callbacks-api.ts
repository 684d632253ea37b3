// Console API for callback requests (issue 14): supervisors list the open ones and cancel one.
// Numbers are masked here as everywhere outside the dispatcher.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { callbackRow } from '../callback/row.js';
import type { CallbackStore } from '../store/callback-port.js';
import type { AuditEntry } from './audit.js';
import { refuse } from './context.js';
import type { CallbackCancelled, CallbacksInfo } from './contracts/report.js';
import type { Permission } from './users.js';

type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface CallbacksApiOptions {
  callbacks?: CallbackStore | undefined;
  csrfCheck: onRequestHookHandler;
  requirePermission: (permission: Permission, action: string) => Guard;
  record: (req: FastifyRequest, entry: Omit<AuditEntry, 'at' | 'who' | 'role' | 'ip'>) => Promise<void>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function callbacksApi(app: FastifyInstance, opts: CallbacksApiOptions): Promise<void> {
  const store = (reply: FastifyReply): CallbackStore | undefined => {
    if (!opts.callbacks) void refuse(reply, 503, { error: 'callback requests are not available on this instance' });
    return opts.callbacks;
  };

  // Open requests (pending, or being called now), oldest first.
  app.get('/api/callbacks', { preHandler: opts.requirePermission('closures', 'callbacks.read') }, async (_req, reply) => {
    const callbacks = store(reply);
    if (!callbacks) return reply;
    const rows = [...(await callbacks.list({ status: 'pending' })), ...(await callbacks.list({ status: 'calling' }))]
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id))
      .map((r) => ({ ...callbackRow(r), calling: r.status === 'calling' }));
    const answer: CallbacksInfo = { total: rows.length, rows };
    return answer;
  });

  app.delete(
    '/api/callbacks/:id',
    { onRequest: opts.csrfCheck, preHandler: opts.requirePermission('closures', 'callbacks.cancel') },
    async (req, reply) => {
      const callbacks = store(reply);
      if (!callbacks) return reply;
      const { id } = req.params as { id: string };
      const cancelled = ID.test(id) ? await callbacks.cancel(id) : false;
      await opts.record(req, { action: 'callbacks.cancel', target: id.slice(0, 64), result: cancelled ? 'ok' : 'failed' });
      if (!cancelled) return refuse(reply, 404, { error: `no open callback request "${id.slice(0, 64)}"` });
      const answer: CallbackCancelled = { cancelled: true };
      return answer;
    },
  );
}
