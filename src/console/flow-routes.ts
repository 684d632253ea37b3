// Read-only views of "what the line does now": the flow outline, the config state every page
// polls (version, loaded at, a refused edit with file:line), and the "today" overview.
import type { FastifyInstance } from 'fastify';
import { formatIssue } from '../config/issues.js';
import { HttpError, type ConsoleContext } from './context.js';
import type { ConfigState, FlowOutline, TodayInfo } from './contracts/flow.js';
import { flowOutline, scheduleState } from './outline.js';

export function registerFlowRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { registry, switches } = ctx.opts;

  const configState = (): ConfigState => ({
    version: registry.current?.version ?? null,
    loadedAt: registry.loadedAt?.toISOString() ?? null,
    refused: registry.lastRefused?.map((issue) => ({ ...issue, text: formatIssue(issue) })) ?? null,
  });

  // Small on purpose: every open page asks for it every few seconds.
  app.get('/api/config-state', { preHandler: ctx.requireUser }, async () => configState());

  app.get('/api/outline', { preHandler: ctx.requireUser }, async (): Promise<FlowOutline> => {
    const config = registry.current;
    if (!config) throw new HttpError(503, 'no configuration loaded', 'config.missing');
    return flowOutline(config, ctx.now(), await switches.closures());
  });

  app.get('/api/today', { preHandler: ctx.requireUser }, async (): Promise<TodayInfo> => {
    const config = registry.current;
    if (!config) throw new HttpError(503, 'no configuration loaded', 'config.missing');
    const at = ctx.now();
    const closures = await switches.closures();
    return {
      now: new Date(at).toISOString(),
      config: configState(),
      schedules: Object.keys(config.bundle.hours.schedules).flatMap((id) => scheduleState(config, id, at, closures) ?? []),
      closures: closures.filter((c) => Date.parse(c.until) > at),
    };
  });
}
