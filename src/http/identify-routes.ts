// /voice/identify: the caller identification dialogue of a route with `identify: true`.
// Registered inside the voice plugin (signature check, CallSid logging, error TwiML). The
// insured number travels only sealed (AES-256-GCM) in the callback URL, and leaves only to the
// agent side: <Task> attributes and the signed screen-pop webhook, sent after the answer.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { playIdentifyTurn } from '../call/identify-turn.js';
import type { ConfigRegistry } from '../config/registry.js';
import { START, type DialogueInput, type DialogueState } from '../identity/dialogue.js';
import { openState, sealState, type SealBinding } from '../identity/sealed-state.js';
import type { IdentityNotifier } from '../integrations/identity-webhook.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import type { ConsentLog } from '../store/ports.js';
import { identifyUrl, one, parseIdentifyQuery } from '../telephony/callback-urls.js';
import type { CallbackUrls } from '../telephony/twiml.js';
import { writeConsent } from './consent-write.js';
import type { CallProgressTracker, Metrics } from './metrics.js';
import { TWIML } from './voice-hooks.js';

export interface IdentityOptions {
  /** 32-byte AES key; the same on every instance. Without it, a per-process key (one instance only). */
  stateKey?: Buffer | undefined;
  notifier?: IdentityNotifier | undefined;
}

export interface IdentifyRoutesOptions {
  registry: ConfigRegistry;
  consentLog: ConsentLog;
  metrics: Metrics;
  /** The last node of each call in this process (the menu routes' tracker). */
  progress: CallProgressTracker;
  now: () => number;
  checkSignature: preHandlerAsyncHookHandler;
  urlsFor: (request: FastifyRequest, version: string) => CallbackUrls;
  identity?: IdentityOptions | undefined;
  /** The webhook's CallSid and From, or undefined for a malformed body. */
  callOf(body: unknown): { CallSid: string; From?: string | undefined; Digits?: unknown } | undefined;
  /** The apology and the general queue. */
  apology(): string;
}

const NAME = /^[a-z][a-z0-9_]*$/;

export async function identifyRoutes(app: FastifyInstance, opts: IdentifyRoutesOptions): Promise<void> {
  const { registry, consentLog, metrics, now } = opts;
  const key = opts.identity?.stateKey ?? randomBytes(32);
  const notifier = opts.identity?.notifier;
  if (notifier) app.addHook('onClose', async () => notifier.drain());

  app.post('/voice/identify', { preHandler: opts.checkSignature }, async (request, reply) => {
    const at = now();
    const params = opts.callOf(request.body);
    const q = parseIdentifyQuery(request.query);
    const config = registry.forVersion(q.version);
    const route = q.route;
    const node = NAME.test(route) ? config?.bundle.flow.nodes[route] : undefined;
    if (!params || !config || node?.kind !== 'route' || !node.identify) {
      request.log.warn({ route: NAME.test(route) ? route : 'invalid' }, 'identification request unusable; connecting to the general queue');
      metrics.fallbacks.inc({ reason: 'malformed' });
      return reply.type(TWIML).send(opts.apology());
    }
    const callSid = params.CallSid;
    const wanted = q.lang;
    const lang = config.speech.languages.includes(wanted) ? wanted : DEFAULT_LANGUAGE;
    const binding: SealBinding = { callSid, version: config.version, route, lang };
    const state = q.sealed === undefined ? START : openState(key, binding, q.sealed);
    if (state === undefined) request.log.warn('identification state could not be opened (key changed or forged); going on without it');
    const digits = one(params.Digits) ?? '';
    const input: DialogueInput = q.noInput ? { kind: 'noInput' } : { kind: 'digits', digits: digits.replace(/[^0-9*]/g, '') };
    const urls = opts.urlsFor(request, config.version);
    const turn = playIdentifyTurn({
      config,
      route,
      node,
      lang,
      state,
      input,
      at,
      callSid,
      from: params.From,
      urls,
      heardNotices: q.notices,
      nextUrl: (next: DialogueState) =>
        identifyUrl({ base: urls.base, version: config.version, route, lang, notices: q.notices }, sealState(key, binding, next)),
    });
    opts.progress.reached(callSid, route);
    const outcome = turn.outcome;
    request.callStep = { node: route, version: config.version, done: outcome !== undefined };
    if (!outcome) {
      request.log.info({ phase: state?.phase }, 'identification question');
      return reply.type(TWIML).send(turn.render(false));
    }
    const consentInLog = turn.consent ? await writeConsent(request.log, consentLog, metrics, turn.consent) : false;
    metrics.routes.inc({ target: outcome.queue });
    metrics.identifications.inc({ identity: outcome.identity });
    request.log.info({ identity: outcome.identity, queue: outcome.queue }, 'identification ended');
    await reply.type(TWIML).send(turn.render(consentInLog && turn.consent?.decision === 'granted'));
    // After the answer: the caller never waits for the CRM.
    if (notifier) {
      void notifier
        .notify({
          callSid,
          queue: outcome.queue,
          insuredNumber: outcome.insuredNumber,
          identity: outcome.identity,
          at: new Date(at).toISOString(),
        })
        .then((delivered) => {
          if (!delivered) metrics.identityWebhookFailures.inc();
        });
    }
    return reply;
  });
}
