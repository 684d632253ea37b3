// What every signed-in user reads and tries: the flow graph, the simulator, the opening hours.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { activeClosure } from '../call/compiled.js';
import { formatIssue } from '../config/issues.js';
import { flowGraph } from '../flow/graph.js';
import { dayText } from '../hours/day-text.js';
import { scheduleDays } from '../hours/engine.js';
import { LINE_ZONE, parseInstant } from '../hours/time-input.js';
import type { Schedule } from '../hours/types.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import { currentBundle, dayOrInstant, HttpError, type ConsoleContext } from './context.js';
import type { FlowInfo, SimulateBody } from './contracts/flow.js';
import type { HoursInfo } from './contracts/hours.js';
import { badRequest, parse } from './parse.js';
import { KEYS, simulateOnConsole } from './simulate.js';

const simulateBody = z.object({
  at: z.string().min(1).max(40),
  language: z
    .string()
    .regex(/^[a-z]{2}$/)
    .default(DEFAULT_LANGUAGE),
  inputs: z.array(z.enum(KEYS)).max(30).default([]),
  untilEnd: z.boolean().default(false),
}) satisfies z.ZodType<unknown, SimulateBody>;

export function registerLiveRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { opts, now, requireUser, csrfCheck } = ctx;

  app.get('/api/flow', { preHandler: requireUser }, async (): Promise<FlowInfo> => {
    const config = opts.registry.current;
    return {
      version: config?.version ?? null,
      loadedAt: opts.registry.loadedAt?.toISOString() ?? null,
      mermaid: config ? flowGraph(config.bundle) : null,
      languages: config?.speech.languages ?? [],
      refused: opts.registry.lastRefused?.map((issue) => ({ ...issue, text: formatIssue(issue) })) ?? null,
    };
  });

  // The simulator reads only (consents go to a memory log; CSRF still required, it is a POST).
  // Each simulation builds an app and plays a call (a few ms of CPU): limited per user so the
  // console can never take CPU from the voice routes in earnest.
  const simulateLimit = {
    max: 120,
    timeWindow: 60_000,
    hook: 'preHandler' as const,
    keyGenerator: (req: FastifyRequest) => `sim:${req.consoleUser?.name ?? req.ip}`,
  };
  app.post('/api/simulate', { onRequest: csrfCheck, preHandler: requireUser, config: { rateLimit: simulateLimit } }, async (req) => {
    const body = parse(simulateBody, req.body, {
      code: 'invalid',
      message: (issues) => `invalid simulation: ${issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    });
    const config = opts.registry.current;
    if (!config) throw new HttpError(503, 'no configuration loaded', 'config.missing');
    if (!config.speech.languages.includes(body.language))
      throw badRequest(`no prompts in language "${body.language}"`, 'simulate.language', { language: body.language });
    let at: number;
    try {
      at = parseInstant(body.at, 'time');
    } catch (err) {
      throw badRequest((err as Error).message, 'time.invalid', { value: body.at });
    }
    return simulateOnConsole(
      { registry: opts.registry, switches: opts.switches },
      { at, language: body.language, inputs: body.inputs, untilEnd: body.untilEnd },
    );
  });

  app.get('/api/hours', { preHandler: requireUser }, async (req): Promise<HoursInfo> => {
    const q = req.query as { from?: unknown; days?: unknown };
    const bundle = currentBundle(ctx);
    let from = now();
    if (typeof q.from === 'string' && q.from !== '') {
      try {
        from = dayOrInstant(q.from, 'from', false);
      } catch (err) {
        throw badRequest((err as Error).message, 'time.invalid', { value: q.from });
      }
    }
    const days = typeof q.days === 'string' && /^\d{1,3}$/.test(q.days) ? Math.min(Math.max(Number(q.days), 1), 62) : 14;
    const closures = await opts.switches.closures();
    return {
      from: new Date(from).toISOString(),
      zone: LINE_ZONE,
      days,
      schedules: Object.entries(bundle.hours.schedules).map(([id, s]) => {
        const schedule = s as Schedule;
        const emergency = activeClosure(closures, id, from);
        return {
          id,
          name: schedule.name ?? id,
          timezone: schedule.timezone,
          emergency: emergency ?? null,
          days: scheduleDays(schedule, new Date(from), days, emergency).map((day) => ({ ...day, text: dayText(day) })),
        };
      }),
    };
  });
}
