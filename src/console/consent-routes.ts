// The DPO's consent search and export. The view pages through the store newest first (a
// cursor, LIMIT in SQL): a search over 300,000 rows reads one page, never the whole log. The
// CallSid is a case-insensitive prefix. Downloads hold every matching row, as CSV (optionally
// for Czech Excel) or JSON lines, through the same writers as `infoline consent export`.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { csvLines, jsonLines } from '../consent/export.js';
import { maskCaller, type ConsentRecord } from '../consent/record.js';
import type { ConsentKey, ConsentQuery } from '../store/ports.js';
import { dayOrInstant, HttpError, type ConsoleContext } from './context.js';
import type { ConsentSearch } from './contracts/consents.js';
import { parse } from './parse.js';

/** Rows per page of the search view. */
export const PAGE_SIZE = 50;

const consentQuery = z.object({
  callSid: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,64}$/, { error: 'CallSid is letters and digits (CA…)' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  decision: z.enum(['granted', 'declined', '']).optional(),
  format: z.enum(['json', 'csv', 'jsonl']).default('json'),
  /** "1": CSV for Czech Excel (";", BOM, Prague times). */
  excel: z.enum(['0', '1', '']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** A consent row as the console may show it: the number masked even if a store held more. */
function masked(r: ConsentRecord): ConsentRecord {
  return r.caller.includes('*') || r.caller === 'unknown' ? r : { ...r, caller: maskCaller(r.caller) };
}

export function encodeCursor(r: ConsentKey): string {
  return Buffer.from(JSON.stringify([r.at, r.callSid, r.decision])).toString('base64url');
}

export function decodeCursor(cursor: string): ConsentKey {
  const bad = new HttpError(400, 'the cursor is not valid (search again)', 'consents.cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad;
  const [at, callSid, decision] = parsed as unknown[];
  if (
    typeof at !== 'string' ||
    Number.isNaN(Date.parse(at)) ||
    typeof callSid !== 'string' ||
    !/^[A-Za-z0-9]{1,64}$/.test(callSid) ||
    (decision !== 'granted' && decision !== 'declined')
  )
    throw bad;
  return { at, callSid, decision };
}

export function registerConsentRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/consents', { preHandler: ctx.requirePermission('consents', 'consents.read') }, async (req, reply) => {
    const q = parse(consentQuery, req.query, { code: 'consents.invalid', fields: { callSid: 'consents.callSid' } });
    let fromMs: number | undefined;
    let toMs: number | undefined;
    try {
      if (q.from) fromMs = dayOrInstant(q.from, 'from', false);
      if (q.to) toMs = dayOrInstant(q.to, 'to', true);
    } catch (err) {
      throw new HttpError(400, (err as Error).message, 'time.invalid', { value: String(q.from ?? q.to) });
    }
    if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
      throw new HttpError(400, `the range is reversed: from ${q.from} is not before to ${q.to}`, 'consents.range', {
        from: q.from ?? '',
        to: q.to ?? '',
      });
    }
    const query: ConsentQuery = {};
    if (fromMs !== undefined) query.since = new Date(fromMs).toISOString();
    if (toMs !== undefined) query.until = new Date(toMs).toISOString();
    if (q.callSid) query.callSidPrefix = q.callSid;
    if (q.decision) query.decision = q.decision;
    const filter = { callSid: q.callSid ?? null, from: query.since ?? null, to: query.until ?? null, decision: q.decision || null };
    const format = q.format;

    if (format === 'json') {
      const size = q.limit ?? PAGE_SIZE;
      // One row more than the page tells whether there is a next page.
      const found = await ctx.opts.consentLog.list({
        ...query,
        order: 'desc',
        limit: size + 1,
        ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
      });
      const rows = found.slice(0, size).map(masked);
      const last = rows[rows.length - 1];
      await ctx.record(req, {
        action: 'consents.search',
        target: JSON.stringify(filter),
        result: 'ok',
        details: { rows: rows.length, format },
      });
      // `truncated` (more rows than shown) as before paging; no total: counting would read the whole log.
      const page: ConsentSearch = {
        filter,
        rows,
        pageSize: size,
        next: found.length > size && last ? encodeCursor(last) : null,
        truncated: found.length > size,
      };
      return page;
    }
    const rows = (await ctx.opts.consentLog.list(query)).map(masked);
    const excel = q.excel === '1';
    await ctx.record(req, {
      action: 'consents.export',
      target: JSON.stringify(filter),
      result: 'ok',
      details: { rows: rows.length, format, ...(excel ? { excel } : {}) },
    });
    const stamp = new Date(ctx.now()).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    reply.header('content-disposition', `attachment; filename="consents-${stamp}${excel ? '-excel' : ''}.${format}"`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(csvLines(rows, { excel }));
    return reply.type('application/x-ndjson; charset=utf-8').send(jsonLines(rows));
  });
}
