// What the voice routes are given by the app, and what the voice plugin adds for its parts.
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { ConfigRegistry } from '../config/registry.js';
import type { CallbackStore } from '../store/callback-port.js';
import type { ClaimStore } from '../store/claims-port.js';
import type { JourneyRecorder } from '../store/journey-recorder.js';
import type { ConsentLog, SwitchStore } from '../store/ports.js';
import type { RecordingStarter } from '../telephony/recording.js';
import type { IdentityOptions } from './identify-routes.js';
import type { JourneyHooks } from './journey-hooks.js';
import type { CallProgressTracker, Metrics } from './metrics.js';

export interface VoiceOptions {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  switches: SwitchStore;
  metrics: Metrics;
  authToken: string | undefined;
  publicUrl: string | undefined;
  /** The clock, read once per request at the edge. */
  now: () => number;
  recordingStarter?: RecordingStarter | undefined;
  /** Shared "done once" claims; without them, this process's memory (one instance only). */
  claims?: ClaimStore | undefined;
  identity?: IdentityOptions | undefined;
  /** Journey events of every webhook (batched, off the answer's path); none when absent. */
  journal?: JourneyRecorder | undefined;
  /** Callback requests (issue 14); without it the hold offers no callback routes. */
  callbacks?: CallbackStore | undefined;
}

/** The options every group of voice routes gets: the app's, the signature check, the journey. */
export interface VoiceRouteOptions extends VoiceOptions {
  checkSignature: preHandlerAsyncHookHandler;
  journey: JourneyHooks;
  /** The last node of each call in this process (abandoned calls without journeys). */
  progress: CallProgressTracker;
}
