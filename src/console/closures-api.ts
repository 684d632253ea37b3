// Emergency closures: the state of every schedule (and the whole line), set one, clear one.
// Audited before the switch store is touched.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { activeClosure, scheduleStatus } from '../call/compiled.js';
import { activeLineClosure, LINE_CLOSURE_ID } from '../call/line.js';
import { parseUntil } from '../hours/time-input.js';
import type { Schedule } from '../hours/types.js';
import type { EmergencyClosure } from '../store/ports.js';
import { hasOwn } from '../util/own.js';
import { currentBundle, HttpError, type ConsoleContext } from './context.js';
import type { CloseBody, ClosureCleared, ClosureSet, ClosuresInfo } from './contracts/hours.js';
import { badRequest, parse } from './parse.js';

const closeBody = z.object({
  schedule: z.string().min(1).max(64),
  until: z.string().min(1).max(40),
  reason: z.string().trim().min(1, { error: 'a reason is required (callers hear it)' }).max(200),
}) satisfies z.ZodType<unknown, CloseBody>;

export function registerClosuresApi(app: FastifyInstance, ctx: ConsoleContext): void {
  const { opts, now, requireUser, requirePermission, csrfCheck, record, afterAudit } = ctx;

  app.get('/api/closures', { preHandler: requireUser }, async (): Promise<ClosuresInfo> => {
    const bundle = currentBundle(ctx);
    const closures = await opts.switches.closures();
    const at = now();
    return {
      now: new Date(at).toISOString(),
      line: activeLineClosure(closures, at) ?? null,
      schedules: Object.keys(bundle.hours.schedules).map((id) => {
        const status = scheduleStatus(bundle, id, at, closures)?.status;
        return {
          id,
          name: (bundle.hours.schedules[id] as Schedule).name ?? id,
          closure: activeClosure(closures, id, at) ?? null,
          open: status?.open ?? false,
          nextOpening: status && !status.open ? (status.nextOpening?.toISOString() ?? null) : null,
          closesAt: status?.open ? (status.closesAt?.toISOString() ?? null) : null,
        };
      }),
    };
  });

  app.post('/api/closures', { onRequest: csrfCheck, preHandler: requirePermission('closures', 'closure.set') }, async (req) => {
    const body = parse(closeBody, req.body, { code: 'closure.invalid', fields: { reason: 'closure.reason' } });
    const bundle = currentBundle(ctx);
    if (body.schedule !== LINE_CLOSURE_ID && !hasOwn(bundle.hours.schedules, body.schedule))
      throw badRequest(`no schedule "${body.schedule}" in config/hours.yaml`, 'closure.schedule', { schedule: body.schedule });
    const at = now();
    let until: number;
    try {
      until = parseUntil(body.until, at);
    } catch (err) {
      throw badRequest((err as Error).message, 'closure.until', { value: body.until });
    }
    if (until <= at)
      throw badRequest(`the end ${new Date(until).toISOString()} is already in the past`, 'closure.past', {
        until: new Date(until).toISOString(),
      });
    const closure: EmergencyClosure = {
      schedule: body.schedule,
      until: new Date(until).toISOString(),
      reason: body.reason,
      since: new Date(at).toISOString(),
    };
    await record(req, {
      action: 'closure.set',
      target: closure.schedule,
      result: 'ok',
      details: { until: closure.until, reason: closure.reason },
    });
    await afterAudit(req, 'closure.set', closure.schedule, () => opts.switches.setClosure(closure));
    const answer: ClosureSet = { closure };
    return answer;
  });

  app.delete(
    '/api/closures/:schedule',
    { onRequest: csrfCheck, preHandler: requirePermission('closures', 'closure.clear') },
    async (req): Promise<ClosureCleared> => {
      const { schedule } = req.params as { schedule: string };
      const bundle = currentBundle(ctx);
      if (schedule !== LINE_CLOSURE_ID && !hasOwn(bundle.hours.schedules, schedule))
        throw new HttpError(404, `no schedule "${schedule}"`, 'closure.schedule', { schedule });
      const stored = (await opts.switches.closures()).some((c) => c.schedule === schedule);
      await record(req, { action: 'closure.clear', target: schedule, result: 'ok', details: { removed: stored } });
      const removed = await afterAudit(req, 'closure.clear', schedule, () => opts.switches.clearClosure(schedule));
      return { removed };
    },
  );
}
