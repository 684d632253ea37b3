// The console's report API: the CLI report's JSON for a chosen range, calls per hour for the
// chart, and the live view. Registered inside the console plugin (its session and errors).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { parseInstant } from '../hours/time-input.js';
import type { ConfigRegistry } from '../config/registry.js';
import { LIVE_WINDOW_MS, liveView } from '../report/live.js';
import { buildReport, callsInRange, DEFAULT_SERVICE_LEVEL_SECONDS } from '../report/report.js';
import { callsPerHour, REPORT_ZONE } from '../report/series.js';
import type { JourneyStore } from '../store/journey-port.js';
import type { LiveInfo, ReportHours, ReportInfo } from './contracts/report.js';

export interface ReportApiOptions {
  journeys: JourneyStore;
  registry: ConfigRegistry;
  now: () => number;
  requireUser: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

const MAX_RANGE_MS = 93 * 86_400_000;

class BadRange extends Error {
  readonly statusCode = 400;
}

/** ?from=&to= as the CLI reads them (dates are Prague days); default: today in Prague. */
function range(query: unknown, now: number): { from: string; to: string } {
  const q = (query ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 40) : undefined);
  let from: number;
  let to: number;
  try {
    const f = text(q.from);
    const t = text(q.to);
    from = f !== undefined ? parseInstant(f, 'from') : DateTime.fromMillis(now, { zone: REPORT_ZONE }).startOf('day').toMillis();
    to =
      t !== undefined
        ? parseInstant(t, 'to')
        : DateTime.fromMillis(from, { zone: REPORT_ZONE }).plus({ days: 1 }).startOf('day').toMillis();
  } catch (err) {
    throw new BadRange((err as Error).message);
  }
  if (to <= from) throw new BadRange('"to" must be later than "from"');
  if (to - from > MAX_RANGE_MS) throw new BadRange('at most 93 days at once');
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export async function reportApi(app: FastifyInstance, opts: ReportApiOptions): Promise<void> {
  const serviceLevelSeconds = () => opts.registry.current?.bundle.queues.defaults.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS;

  app.get('/api/report', { preHandler: opts.requireUser }, async (req): Promise<ReportInfo> => {
    const r = range(req.query, opts.now());
    return buildReport(callsInRange(await opts.journeys.callsStarted(r.from, r.to), r), serviceLevelSeconds());
  });

  app.get('/api/report/hours', { preHandler: opts.requireUser }, async (req): Promise<ReportHours> => {
    const r = range(req.query, opts.now());
    const calls = callsInRange(await opts.journeys.callsStarted(r.from, r.to), r);
    return { ...r, zone: REPORT_ZONE, hours: callsPerHour(calls, r.from, r.to) };
  });

  app.get('/api/live', { preHandler: opts.requireUser }, async (): Promise<LiveInfo> => {
    const now = opts.now();
    return liveView(await opts.journeys.callsStarted(new Date(now - LIVE_WINDOW_MS).toISOString()), now);
  });
}
