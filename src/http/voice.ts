// Twilio Voice webhooks. Every route is signature-checked; every answer is TwiML (even on
// an internal error: an apology and the general queue, so a person always answers).
// The routes live by concern: the menu turn, queue and hold, recording and call status.
import type { FastifyInstance } from 'fastify';
import { callStatusRoutes } from './call-status-routes.js';
import { holdContextReader } from './hold-context.js';
import { journeyHooks } from './journey-hooks.js';
import { menuRoutes } from './menu-routes.js';
import { NO_CALL_PROGRESS } from './metrics.js';
import { queueRoutes } from './queue-routes.js';
import { twilioSignatureCheck } from './signature.js';
import { installVoiceHooks } from './voice-hooks.js';
import type { VoiceOptions, VoiceRouteOptions } from './voice-options.js';

export type { VoiceOptions } from './voice-options.js';

async function voicePlugin(app: FastifyInstance, opts: VoiceOptions): Promise<void> {
  const { registry, metrics } = opts;
  const checkSignature = twilioSignatureCheck({
    authToken: opts.authToken,
    publicUrl: opts.publicUrl,
    onFailure: (request, reason) => {
      metrics.signatureFailures.inc();
      request.log.warn({ reason, url: request.routeOptions.url }, 'refused: Twilio signature check failed');
    },
  });
  // Before the route groups: their contexts inherit the hooks and the error handler.
  installVoiceHooks(app, { registry, metrics });

  const routeOpts: VoiceRouteOptions = {
    ...opts,
    checkSignature,
    journey: journeyHooks(opts.journal),
    progress: opts.journal ? NO_CALL_PROGRESS : metrics.callProgress,
  };
  const holdContext = holdContextReader({ registry, publicUrl: opts.publicUrl, callbacksEnabled: opts.callbacks !== undefined });
  await app.register(menuRoutes, routeOpts);
  await app.register(queueRoutes, { ...routeOpts, holdContext });
  await app.register(callStatusRoutes, { ...routeOpts, holdContext });
}

// Not wrapped in fastify-plugin: its hooks and error handler stay scoped to the voice routes.
export const voiceRoutes = voicePlugin;
