// Micro-benchmarks of the first answer (the 14-<Say> Gather every call hears): as served by
// playTurn (memoised per config version), rendered fresh (XState step + twilio VoiceResponse),
// and the same XML from a string template — DESIGN's "template ≈ 20× faster" claim, measured.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { playTurn } from '../src/call/turn.js';
import { packageRoot } from '../src/config/load.js';
import { ConfigRegistry } from '../src/config/registry.js';
import type { CallState } from '../src/flow/machine.js';
import { startCall } from '../src/flow/step.js';
import { encodeCallQuery } from '../src/telephony/callback-urls.js';
import { attrs, childrenOf, parseTwiml, textOf, verbName } from '../src/telephony/player.js';
import { renderActions, type CallbackUrls } from '../src/telephony/twiml.js';
import { resolveQueue } from '../src/telephony/queues-schema.js';

export interface RenderResult {
  name: string;
  microseconds: number;
}

/** µs per call of `fn`, after a warm-up, over about `ms` milliseconds. */
function timeIt(fn: () => unknown, ms = 400): number {
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += String(fn()).length;
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 200; i++) sink += String(fn()).length;
    n += 200;
    now = performance.now();
  }
  if (sink < 0) throw new Error('unreachable');
  return ((now - start) * 1000) / n;
}

const xmlEscape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

export async function renderBenchmarks(publicUrl: string): Promise<RenderResult[]> {
  const registry = new ConfigRegistry({ dir: packageRoot(), logger: { info() {}, warn() {}, error() {} } });
  registry.start();
  const config = registry.current;
  if (!config) throw new Error('config did not load');
  const version = config.version;
  const urls: CallbackUrls = {
    base: publicUrl,
    menu: (state: CallState) => `${publicUrl}/voice/menu?${encodeCallQuery(version, state)}`,
    noInput: (state: CallState) => `${publicUrl}/voice/menu?${encodeCallQuery(version, state)}&e=noinput`,
    queueWait: (route, lang) => `${publicUrl}/voice/queue/wait?${new URLSearchParams({ v: version, route, l: lang })}`,
    queueDone: (route, lang, consent) =>
      `${publicUrl}/voice/queue/done?${new URLSearchParams({ v: version, route, l: lang, c: consent ? '1' : '0' })}`,
    identify: (route, lang) => `${publicUrl}/voice/identify?${new URLSearchParams({ v: version, route, l: lang })}`,
  };
  const at = Date.parse('2026-11-25T09:00:00Z');
  const served = () =>
    playTurn({
      config,
      state: undefined,
      input: { kind: 'start' },
      at,
      closures: [],
      callSid: 'CA0123456789abcdef0123456789abcdef',
      from: '+420603123456',
      urls,
    }).render(false);
  const xml = served();

  const freshStep = () => startCall(config.flow, { at, closures: [] }, 'cs');
  const step = freshStep();
  const freshRender = () =>
    renderActions(step.actions, {
      utter: (lang, key, vars) => config.speech.utter(lang, key, vars),
      sayTexts: (a) => a.keys.map((k) => config.speech.utter(a.lang, k)),
      queue: (id) => resolveQueue(config.bundle.queues, id),
      urls,
      state: step.state,
      recordDial: false,
    });
  if (freshRender() !== xml) throw new Error('fresh render differs from the served first answer');

  // The same document, built directly with VoiceResponse and with a template.
  const { verbs } = parseTwiml(xml);
  const gather = verbs.find((v) => verbName(v) === 'Gather');
  const redirect = verbs.find((v) => verbName(v) === 'Redirect');
  if (!gather || !redirect) throw new Error('first answer is not Gather + Redirect');
  const g = attrs(gather);
  const says = childrenOf(gather).map((c) => ({ attrs: attrs(c), text: textOf(c) }));
  const redirectUrl = textOf(redirect);
  const viaVoiceResponse = () => {
    const r = new VoiceResponse();
    const gg = r.gather({ input: ['dtmf'], numDigits: 1, finishOnKey: '', timeout: Number(g.timeout), action: g.action, method: 'POST' });
    for (const s of says) gg.say(s.attrs as { language?: 'cs-CZ' }, s.text);
    r.redirect({ method: 'POST' }, redirectUrl);
    return r.toString();
  };
  const sayXml = says.map(
    (s) =>
      `<Say${Object.entries(s.attrs)
        .map(([k, v]) => ` ${k}="${xmlEscape(v)}"`)
        .join('')}>${xmlEscape(s.text)}</Say>`,
  );
  const viaTemplate = () =>
    `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" finishOnKey="" timeout="${g.timeout}" action="${xmlEscape(g.action ?? '')}" method="POST">${sayXml.join('')}</Gather><Redirect method="POST">${xmlEscape(redirectUrl)}</Redirect></Response>`;
  // Per call, only the URLs change; the prompts are config-only (escaped once per version).
  const viaTemplateAllEscaped = () =>
    `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" finishOnKey="" timeout="${g.timeout}" action="${xmlEscape(g.action ?? '')}" method="POST">${says.map((s) => `<Say language="${xmlEscape(s.attrs.language ?? '')}" voice="${xmlEscape(s.attrs.voice ?? '')}">${xmlEscape(s.text)}</Say>`).join('')}</Gather><Redirect method="POST">${xmlEscape(redirectUrl)}</Redirect></Response>`;
  if (viaVoiceResponse() !== xml) throw new Error('VoiceResponse rebuild differs from the served first answer');
  if (viaTemplate() !== xml) throw new Error('template differs from the served first answer');

  const out: RenderResult[] = [
    { name: 'first answer as served: playTurn + render (memo per config version)', microseconds: timeIt(served) },
    { name: 'first answer fresh: XState startCall', microseconds: timeIt(freshStep) },
    { name: 'first answer fresh: renderActions (VoiceResponse)', microseconds: timeIt(freshRender) },
    { name: 'same XML built directly with VoiceResponse (14 Say)', microseconds: timeIt(viaVoiceResponse) },
    { name: 'same XML from a template, prompts pre-escaped per version', microseconds: timeIt(viaTemplate) },
    { name: 'same XML from a template, everything escaped per call', microseconds: timeIt(viaTemplateAllEscaped) },
  ];
  registry.close();
  return out;
}
