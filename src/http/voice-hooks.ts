// What every voice route shares: form-only body parsing, the CallSid on every log line, one
// summary line per request, and the error handler that still answers TwiML (an apology and
// the general queue, so a person always answers).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ConfigRegistry } from '../config/registry.js';
import { fallbackDocument } from '../telephony/fallback.js';
import type { Metrics } from './metrics.js';
import { RequestLogger } from './request-logger.js';

export const TWIML = 'text/xml; charset=utf-8';

declare module 'fastify' {
  interface FastifyRequest {
    callSid?: string;
    /** Where the call stands after this webhook, for the request's one summary log line. */
    callStep?: { node: string; version: string; done: boolean };
  }
}

/** Fastify's error shape for a body it could not read. */
const bodyError = z.object({ code: z.string().startsWith('FST_ERR_CTP_'), statusCode: z.number().int().min(400).max(499) });

export function installVoiceHooks(app: FastifyInstance, opts: { registry: ConfigRegistry; metrics: Metrics }): void {
  const { registry, metrics } = opts;

  // Bodies that are not a form (JSON, text, …) are read as nothing: a voice route still
  // answers TwiML that reaches a person rather than a 415 — and, since nothing can fail to
  // parse, the signature check always runs before anything is answered. (Scoped to the voice
  // routes: the console keeps its JSON API.)
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));

  // Every log line of a voice request carries its CallSid (the body is parsed by now).
  app.addHook('preHandler', async (request) => {
    // Any length-bounded text (the routes check it properly); no schema here, it runs on every request.
    const sid = (request.body as Record<string, unknown> | undefined)?.CallSid;
    if (typeof sid !== 'string' || sid.length > 64) return;
    request.callSid = sid;
    if (request.log instanceof RequestLogger) request.log.bind({ callSid: sid });
    else request.log = request.log.child({ callSid: sid });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.webhookDuration.observe({ route }, reply.elapsedTime / 1000);
    request.log.info(
      { method: request.method, route, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, ...request.callStep },
      'voice request answered',
    );
  });
  app.setErrorHandler(async (error, request, reply) => {
    // The body could not be read at all (too large, bad length): not Twilio's, and the
    // signature could not be checked, so no TwiML for it.
    const unreadable = bodyError.safeParse(error);
    if (unreadable.success) {
      const { code, statusCode } = unreadable.data;
      request.log.warn({ code, statusCode }, 'unreadable request body refused');
      return reply.code(statusCode).type('text/plain').send('Bad request body');
    }
    request.log.error({ err: error }, 'voice route failed; answering with the apology and the general queue');
    metrics.fallbacks.inc({ reason: 'error' });
    return reply.code(200).type(TWIML).send(fallbackDocument(registry.current));
  });
}
