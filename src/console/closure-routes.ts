// Closure helpers for the console: the exact sentence callers will hear before a supervisor
// confirms a closure (worked out by the same code the calls use), who set each closure and
// when (from the audit log), and the audit view for supervisors.
import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LINE_CLOSURE_ID } from '../call/line.js';
import { scheduleSayTexts } from '../call/turn.js';
import { parseUntil } from '../hours/time-input.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import type { AuditEntry } from './audit.js';
import { HttpError, type ConsoleContext } from './context.js';
import type { CloseBody, ClosureHistory, ClosurePreview } from './contracts/hours.js';
import type { AuditInfo } from './contracts/session.js';
import { parse } from './parse.js';

/** How much of the audit log's end is read (the newest entries). */
const AUDIT_TAIL_BYTES = 1024 * 1024;

/** The newest entries of the audit log, newest first (a missing file is an empty log). */
export async function readAuditTail(path: string, max = 200): Promise<AuditEntry[]> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - AUDIT_TAIL_BYTES);
      const buf = Buffer.alloc(size - start);
      await file.read(buf, 0, buf.length, start);
      text = buf.toString('utf8');
      // Reading from the middle: the first (partial) line is dropped.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await file.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: AuditEntry[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && out.length < max; i--) {
    const line = lines[i];
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as AuditEntry);
    } catch {
      // A torn last line (a crash mid-write) is skipped.
    }
  }
  return out;
}

const previewQuery = z.object({
  schedule: z.string().min(1).max(64),
  reason: z.string().trim().min(1).max(200),
  until: z.string().min(1).max(40),
}) satisfies z.ZodType<unknown, CloseBody>;

export function registerClosureRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { registry, switches } = ctx.opts;

  app.get('/api/closure-preview', { preHandler: ctx.requireUser }, async (req): Promise<ClosurePreview> => {
    const q = parse(previewQuery, req.query, { code: 'closure.invalid', fields: { reason: 'closure.reason' } });
    const config = registry.current;
    if (!config) throw new HttpError(503, 'no configuration loaded', 'config.missing');
    const at = ctx.now();
    let until: number;
    try {
      until = parseUntil(q.until, at);
    } catch (err) {
      throw new HttpError(400, (err as Error).message, 'closure.until', { value: q.until });
    }
    if (until <= at) throw new HttpError(400, 'the end is already in the past', 'closure.past');
    const closure = { schedule: q.schedule, until: new Date(until).toISOString(), reason: q.reason, since: new Date(at).toISOString() };
    const others = (await switches.closures()).filter((c) => c.schedule !== closure.schedule);
    if (q.schedule === LINE_CLOSURE_ID) {
      const key = 'line.closed';
      const has = config.speech.text(DEFAULT_LANGUAGE, key) !== key;
      const text = config.speech.text(DEFAULT_LANGUAGE, has ? key : 'closed.emergency', { reason: closure.reason });
      return { schedule: LINE_CLOSURE_ID, until: closure.until, sentences: [text], promptKey: has ? key : 'closed.emergency' };
    }
    if (!(q.schedule in config.bundle.hours.schedules))
      throw new HttpError(400, `no schedule "${q.schedule}"`, 'closure.schedule', { schedule: q.schedule });
    // What a caller choosing this team hears: the say node its route goes to while closed.
    const route = Object.values(config.bundle.flow.nodes).find((n) => n.kind === 'route' && n.schedule === q.schedule);
    const closedNode = route?.kind === 'route' && route.closed !== undefined ? config.bundle.flow.nodes[route.closed] : undefined;
    const keys = closedNode?.kind === 'say' ? closedNode.prompts : ['closed.emergency'];
    const said = scheduleSayTexts(config, DEFAULT_LANGUAGE, keys, q.schedule, at, [...others, closure]);
    return { schedule: q.schedule, until: closure.until, sentences: said.texts.map((u) => u.text) };
  });

  // Who set each closure now in force, and when: the newest closure.set per schedule.
  app.get('/api/closure-history', { preHandler: ctx.requireUser }, async (): Promise<ClosureHistory> => {
    const entries = await readAuditTail(ctx.audit.path, 2000);
    const latest: Record<string, { who: string; at: string }> = {};
    for (const e of entries) {
      if (e.action === 'closure.set' && e.result === 'ok' && e.target && !(e.target in latest)) latest[e.target] = { who: e.who, at: e.at };
    }
    return { closures: latest };
  });

  app.get('/api/audit', { preHandler: ctx.requirePermission('closures', 'audit.read') }, async (req): Promise<AuditInfo> => {
    const q = req.query as { limit?: unknown };
    const limit = typeof q.limit === 'string' && /^\d{1,3}$/.test(q.limit) ? Math.min(Math.max(Number(q.limit), 1), 500) : 200;
    return { entries: await readAuditTail(ctx.audit.path, limit) };
  });
}
