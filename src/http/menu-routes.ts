// The menu turn: a new call (/voice/incoming), a key or silence in a menu (/voice/menu),
// caller identification (registered here: it continues the turn), and Twilio's fallback URL.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CompiledConfig } from '../call/compiled.js';
import { activeLineClosure, LINE_CLOSURE_ID } from '../call/line.js';
import { playTurn, type CallInput } from '../call/turn.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import { callbackUrls, decodeCallQuery, incomingLanguage, isNoInput } from '../telephony/callback-urls.js';
import { fallbackDocument } from '../telephony/fallback.js';
import { lineClosedTwiml } from '../telephony/line-closed.js';
import type { CallbackUrls } from '../telephony/twiml.js';
import { closuresNow } from './closures-now.js';
import { writeConsent } from './consent-write.js';
import { identifyRoutes } from './identify-routes.js';
import { requestBaseUrl } from './signature.js';
import { callParams, digitsBody, fallbackBody, readBody } from './voice-params.js';
import { TWIML } from './voice-hooks.js';
import type { VoiceRouteOptions } from './voice-options.js';

export async function menuRoutes(app: FastifyInstance, opts: VoiceRouteOptions): Promise<void> {
  const { registry, consentLog, switches, metrics, now, journey, progress } = opts;

  const urlsFor = (request: FastifyRequest, version: string, notices: Readonly<Record<string, string>>): CallbackUrls =>
    callbackUrls(requestBaseUrl(request, opts.publicUrl), version, notices);

  const turn = async (request: FastifyRequest, reply: FastifyReply, input: CallInput) => {
    const at = now();
    const params = callParams.safeParse(request.body ?? {});
    if (!params.success) {
      request.log.warn(
        { problems: params.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
        'malformed webhook body; connecting to the general queue',
      );
      metrics.fallbacks.inc({ reason: 'malformed' });
      return reply.type(TWIML).send(fallbackDocument(registry.current));
    }
    const pinned = input.kind === 'start' ? undefined : decodeCallQuery(request.query);
    // The call's own version (from memory or the version store); else the current one, while
    // the consent still names the notice the signed state says the caller heard.
    const own = pinned !== undefined ? await registry.resolve(pinned.version) : undefined;
    const config = own ?? registry.current;
    // The signed state names the notice heard; it differs from the version's own only after a
    // turn that went on with the current version (its URLs kept the notice heard before).
    const heardNotices =
      pinned?.notices !== undefined && (own === undefined || !sameNotices(pinned.notices, noticeHashes(own))) ? pinned.notices : undefined;
    if (pinned !== undefined && own === undefined)
      request.log.warn({ version: pinned.version }, "call's config version not found; going on with the current one");
    if (!config) {
      metrics.fallbacks.inc({ reason: 'no-config' });
      return reply.type(TWIML).send(fallbackDocument(undefined));
    }
    const closures = await closuresNow(switches, request);
    const lineClosed = input.kind === 'start' ? activeLineClosure(closures, at) : undefined;
    if (lineClosed && input.kind === 'start') {
      // The whole line is closed: a new call hears the reason and where else to turn, then goodbye.
      metrics.closedHits.inc({ schedule: LINE_CLOSURE_ID });
      progress.finish(params.data.CallSid);
      request.callStep = { node: LINE_CLOSURE_ID, version: config.version, done: true };
      request.log.info({ until: lineClosed.until }, 'whole line closed: reason and goodbye');
      return reply.type(TWIML).send(lineClosedTwiml(config.speech, input.lang ?? DEFAULT_LANGUAGE, lineClosed.reason));
    }
    const result = playTurn({
      config,
      state: pinned?.state,
      input,
      at,
      closures,
      callSid: params.data.CallSid,
      from: params.data.From,
      urls: urlsFor(request, config.version, heardNotices ?? noticeHashes(config)),
      heardNotices,
    });
    progress.reached(params.data.CallSid, result.step.state.node);
    journey.turn({
      callSid: params.data.CallSid,
      at,
      input: input.kind,
      key: input.kind === 'digits' ? input.digits : undefined,
      before: pinned?.state?.node,
      turn: result,
    });
    if (result.choice !== undefined) metrics.menuChoices.inc({ digit: result.choice });
    for (const schedule of result.closedSchedules) metrics.closedHits.inc({ schedule });
    const consentInLog = result.consent ? await writeConsent(request.log, consentLog, metrics, result.consent) : false;
    const connect = result.step.actions.find((a) => a.type === 'connect');
    if (connect) metrics.routes.inc({ target: connect.queue });
    request.callStep = { node: result.step.state.node, version: config.version, done: result.step.done };
    const recordDial = consentInLog && result.consent?.decision === 'granted';
    return reply.type(TWIML).send(result.answer(recordDial));
  };

  const route = { preHandler: opts.checkSignature };
  await app.register(identifyRoutes, {
    registry,
    consentLog,
    metrics,
    progress,
    now,
    checkSignature: opts.checkSignature,
    // The identify dialogue's own URLs pin the version; the menu URLs it builds carry that version's notices.
    urlsFor: (request: FastifyRequest, version: string) => {
      const pinned = registry.forVersion(version);
      return urlsFor(request, version, pinned ? noticeHashes(pinned) : {});
    },
    identity: opts.identity,
    callOf: (body) => {
      const parsed = callParams.safeParse(body ?? {});
      return parsed.success ? parsed.data : undefined;
    },
    apology: () => fallbackDocument(registry.current),
  });

  app.post('/voice/incoming', route, async (request, reply) => {
    metrics.calls.inc();
    // ?l=en lets a second number (e.g. an English line) start the same flow in another language.
    return turn(request, reply, { kind: 'start', lang: incomingLanguage(request.query) });
  });

  app.post('/voice/menu', route, async (request, reply) => {
    if (isNoInput(request.query)) return turn(request, reply, { kind: 'noInput' });
    // The key is checked by the turn itself (anything but one digit is "invalid").
    const { Digits } = readBody(digitsBody, request.body);
    return turn(request, reply, { kind: 'digits', digits: Digits });
  });

  app.post('/voice/fallback', route, async (request, reply) => {
    metrics.fallbacks.inc({ reason: 'twilio-fallback' });
    request.log.warn({ errorCode: readBody(fallbackBody, request.body).ErrorCode }, 'Twilio used the fallback URL');
    return reply.type(TWIML).send(fallbackDocument(registry.current));
  });
}

const noticeHashCache = new WeakMap<CompiledConfig, Record<string, string>>();
/** The notice sha256 per language of a version, carried in the signed state. */
function noticeHashes(config: CompiledConfig): Record<string, string> {
  let hashes = noticeHashCache.get(config);
  if (hashes === undefined) {
    hashes = Object.fromEntries(Object.entries(config.notices).map(([lang, n]) => [lang, n.sha256]));
    noticeHashCache.set(config, hashes);
  }
  return hashes;
}

function sameNotices(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
