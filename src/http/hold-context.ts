// Reading a queue, hold or callback-dialogue webhook: the call's config version, the route it
// was connected from, its language and queue, from the signed callback URL.
import type { FastifyRequest } from 'fastify';
import type { CompiledConfig } from '../call/compiled.js';
import type { ConfigRegistry } from '../config/registry.js';
import { parseHoldQuery, type HoldQuery } from '../telephony/callback-urls.js';
import type { QueueContext } from '../telephony/queue-twiml.js';
import { GENERAL_QUEUE, resolveQueueOrGeneral } from '../telephony/queues-schema.js';
import { ownValue } from '../util/own.js';
import { requestBaseUrl } from './signature.js';
import type { VoiceRouteOptions } from './voice-options.js';

export interface HoldContext {
  config: CompiledConfig | undefined;
  ctx: QueueContext;
  query: HoldQuery;
}

export type HoldContextReader = (request: FastifyRequest) => HoldContext;

/** Options of the route groups that answer a caller on hold (queue and call-status webhooks). */
export interface HoldRouteOptions extends VoiceRouteOptions {
  holdContext: HoldContextReader;
}

export function holdContextReader(opts: {
  registry: ConfigRegistry;
  publicUrl: string | undefined;
  callbacksEnabled: boolean;
}): HoldContextReader {
  return (request) => {
    const query = parseHoldQuery(request.query);
    const config = opts.registry.forVersion(query.v);
    const node = config ? ownValue(config.bundle.flow.nodes, query.route) : undefined;
    const queueId = node?.kind === 'route' ? node.queue : GENERAL_QUEUE;
    const resolved = config ? resolveQueueOrGeneral(config.bundle.queues, queueId) : undefined;
    // No callback store, no callback offer (its routes are not registered).
    const queue = resolved && !opts.callbacksEnabled ? { ...resolved, callback: { ...resolved.callback, enabled: false } } : resolved;
    const ctx: QueueContext = {
      route: query.route,
      lang: query.l,
      queue,
      consent: query.c,
      base: requestBaseUrl(request, opts.publicUrl),
      version: config?.version ?? '',
    };
    return { config, ctx, query };
  };
}
