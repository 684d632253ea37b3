// Every callback URL the service puts into TwiML, built and parsed in one place. What a call
// needs between two webhooks travels in the query, covered by Twilio's signature, so any
// instance can answer any step without a session store. The URLs are part of the external
// contract (Twilio signs them byte for byte): parameter names and their order do not change.
import { z } from 'zod';
import type { CallState } from '../flow/machine.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import { GENERAL_QUEUE } from './queues-schema.js';
import type { CallbackUrls } from './twiml.js';

// --- The menu turn: /voice/menu?v&n&r&l[&h][&nv][&e=noinput] -------------------------------

export interface PinnedState {
  /** Config version the call started on. */
  version: string;
  state: CallState;
  /**
   * sha256 of the consent notice the caller hears in each language on that version: a consent
   * names what was heard even where the version itself can no longer be found.
   */
  notices?: Record<string, string> | undefined;
}

export function encodeCallQuery(version: string, state: CallState, notices?: Readonly<Record<string, string>>): string {
  const params = new URLSearchParams({ v: version, n: state.node, r: String(state.retries), l: state.lang });
  if (state.heard.length > 0) params.set('h', state.heard.join(','));
  const nv = encodeNotices(notices);
  if (nv !== undefined) params.set('nv', nv);
  return params.toString();
}

/** `nv`: lang.sha256 pairs, comma-separated; undefined when there are none. */
function encodeNotices(notices: Readonly<Record<string, string>> | undefined): string | undefined {
  const list = Object.entries(notices ?? {}).map(([lang, sha]) => `${lang}.${sha}`);
  return list.length > 0 ? list.join(',') : undefined;
}

const NOTICE = /^([a-z]{2})\.([0-9a-f]{64})$/;
const NODE = /^[a-z][a-z0-9_]*$/;

function decodeNotices(nv: string | undefined): Record<string, string> | undefined {
  if (nv === undefined || nv === '') return undefined;
  const out: Record<string, string> = {};
  for (const part of nv.split(',').slice(0, 8)) {
    const m = NOTICE.exec(part);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The first value of a repeated parameter; anything but text is no value. */
export function one(value: unknown): string | undefined {
  if (Array.isArray(value)) return one(value[0]);
  return typeof value === 'string' ? value : undefined;
}

/** Undefined when the query does not hold a usable state (then the call starts over). */
export function decodeCallQuery(query: unknown): PinnedState | undefined {
  const q = record(query);
  const v = one(q.v);
  const n = one(q.n);
  const r = Number(one(q.r) ?? '0');
  const l = one(q.l) ?? DEFAULT_LANGUAGE;
  const h = one(q.h);
  if (v === undefined || !/^[0-9a-f]{6,64}$/.test(v) || n === undefined || !NODE.test(n)) return undefined;
  if (!Number.isInteger(r) || r < 0 || r > 10 || !/^[a-z]{2}$/.test(l)) return undefined;
  const heard = h === undefined || h === '' ? [] : h.split(',').filter((x) => NODE.test(x));
  return { version: v, state: { node: n, retries: r, lang: l, heard }, notices: decodeNotices(one(q.nv)) };
}

/** `e=noinput`: Twilio followed the Redirect after a Gather, not its action. */
export function isNoInput(query: unknown): boolean {
  return record(query).e === 'noinput';
}

/** `/voice/incoming?l=en`: a second number starts the same flow in another language. */
export function incomingLanguage(query: unknown): string | undefined {
  const l = record(query).l;
  return typeof l === 'string' ? l : undefined;
}

/** Where a call in `language` starts: the bare URL for the default language (as Twilio is set up). */
export function incomingPath(language: string): string {
  return language === DEFAULT_LANGUAGE ? '/voice/incoming' : `/voice/incoming?l=${encodeURIComponent(language)}`;
}

/** The URLs of one call's turn: the menu's state and the routes' queue and identify URLs. */
export function callbackUrls(base: string, version: string, notices: Readonly<Record<string, string>>): CallbackUrls {
  const target = (route: string, lang: string) => ({ base, version, route, lang });
  return {
    base,
    menu: (state: CallState) => `${base}/voice/menu?${encodeCallQuery(version, state, notices)}`,
    noInput: (state: CallState) => `${base}/voice/menu?${encodeCallQuery(version, state, notices)}&e=noinput`,
    queueWait: (route, lang) => waitUrl(target(route, lang)),
    queueDone: (route, lang, consent) => doneUrl({ ...target(route, lang), consent }),
    // The identification dialogue carries on the notice heard in the call's language, for its consent.
    identify: (route, lang) =>
      identifyUrl({ ...target(route, lang), notices: notices[lang] !== undefined ? { [lang]: notices[lang] } : {} }),
  };
}

// --- Queue and hold: /voice/queue/*?v&route&l… and the caller's callback dialogue -----------

/** Where a queue callback points: the call's version, the route node it came from, its language. */
export interface HoldTarget {
  base: string;
  version: string;
  route: string;
  lang: string;
  /** The route asked for a consent (c=1 in the done URL). */
  consent?: boolean | undefined;
}

/** State carried from one hold cycle to the next in the Redirect's query (k, s). */
export interface HoldState {
  /** Hold cycles played so far (rotates the tips). */
  cycle: number;
  /** QueueTime (s) before which the overflow offer is not repeated. */
  quietUntil?: number | undefined;
}

/** The callback dialogue's state inside the hold (t, a). */
export interface DialogueState {
  /** QueueTime when the offer was made. */
  offeredAt: number;
  /** Failed tries so far. */
  tries: number;
}

export type NumberSource = 'caller' | 'entered';

function holdQuery(t: HoldTarget, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ v: t.version, route: t.route, l: t.lang, ...extra }).toString();
}

/** <Enqueue waitUrl> and every hold Redirect. */
export function waitUrl(t: HoldTarget, state?: HoldState): string {
  const extra: Record<string, string> = {};
  if (state && state.cycle > 0) extra.k = String(state.cycle);
  if (state?.quietUntil !== undefined) extra.s = String(state.quietUntil);
  return `${t.base}/voice/queue/wait?${holdQuery(t, extra)}`;
}

/** <Enqueue action> / <Dial action>. */
export function doneUrl(t: HoldTarget): string {
  return `${t.base}/voice/queue/done?${holdQuery(t, { c: t.consent ? '1' : '0' })}`;
}

/** <Record action> of a voice message. */
export function messageUrl(t: HoldTarget): string {
  return `${t.base}/voice/queue/message?${holdQuery(t)}`;
}

/** The overflow offer's Gather action: the plain choice, or the one that offers a callback. */
export function offerUrl(t: HoldTarget, withCallback: boolean, offeredAt: number): string {
  return `${t.base}/voice/${withCallback ? 'callback/offer' : 'queue/choice'}?${holdQuery(t, { t: String(offeredAt) })}`;
}

/** A Gather action of the caller's callback dialogue (n says which number is being confirmed). */
export function dialogueUrl(t: HoldTarget, path: 'confirm' | 'number', state: DialogueState, source?: NumberSource): string {
  const extra: Record<string, string> = { t: String(state.offeredAt), a: String(state.tries) };
  if (source !== undefined) extra.n = source;
  return `${t.base}/voice/callback/${path}?${holdQuery(t, extra)}`;
}

/** A whole number of seconds or counts, as Twilio and our own URLs write them. */
export const int = (v: unknown): number | undefined => {
  const s = Array.isArray(v) ? v[0] : v;
  const n = typeof s === 'string' && /^\d{1,9}$/.test(s.trim()) ? Number.parseInt(s, 10) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

const HOLD_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const holdName = (fallback: string) => z.string().regex(HOLD_NAME).catch(fallback);
const counter = z.unknown().optional().transform(int);

const holdQuerySchema = z.object({
  v: z.string().optional().catch(undefined),
  route: holdName(GENERAL_QUEUE),
  l: holdName(DEFAULT_LANGUAGE),
  c: z
    .unknown()
    .optional()
    .transform((c) => c === '1'),
  k: counter,
  s: counter,
  t: counter,
  a: counter,
  n: z
    .unknown()
    .optional()
    .transform((n): NumberSource => (n === 'entered' ? 'entered' : 'caller')),
});

/** What a queue, hold or callback-dialogue URL carries; garbage reads as the defaults. */
export type HoldQuery = z.infer<typeof holdQuerySchema>;

export function parseHoldQuery(query: unknown): HoldQuery {
  // Every field has a fallback: this parse cannot fail.
  return holdQuerySchema.parse(record(query));
}

// --- Caller identification: /voice/identify?v&route&l[&nv][&s][&e=noinput] ----------------

export interface IdentifyTarget extends Omit<HoldTarget, 'consent'> {
  /** The notice the caller heard (nv, as in the menu URLs): the consent at the end names it. */
  notices?: Readonly<Record<string, string>> | undefined;
}

/** The first question (nothing sealed yet), or the next one with the sealed dialogue state. */
export function identifyUrl(t: IdentifyTarget, sealed?: string): string {
  const nv = encodeNotices(t.notices);
  const url = `${t.base}/voice/identify?${holdQuery(t, nv !== undefined ? { nv } : {})}`;
  // Sealed state is base64url: nothing to escape.
  return sealed === undefined ? url : `${url}&s=${sealed}`;
}

export interface IdentifyQuery {
  version: string | undefined;
  route: string;
  lang: string;
  sealed: string | undefined;
  noInput: boolean;
  /** sha256 per language of the notice heard, from the signed URL (absent in URLs of older releases). */
  notices: Record<string, string> | undefined;
}

export function parseIdentifyQuery(query: unknown): IdentifyQuery {
  const q = record(query);
  return {
    version: one(q.v),
    route: one(q.route) ?? '',
    lang: one(q.l) ?? DEFAULT_LANGUAGE,
    sealed: one(q.s),
    noInput: one(q.e) === 'noinput',
    notices: decodeNotices(one(q.nv)),
  };
}

// --- The outbound callback call: /voice/callback/{answer,accept,status}?id… -----------------

export interface OutboundTarget {
  base: string;
  /** The callback request's id. */
  id: string;
  version: string;
  lang: string;
}

/** The greeting's Gather action (r=1: the repeat) and its no-input Redirect (r, e=noinput). */
export function acceptUrl(o: OutboundTarget, extra: { r?: '0' | '1'; e?: 'noinput' } = {}): string {
  return `${o.base}/voice/callback/accept?${new URLSearchParams({ id: o.id, v: o.version, l: o.lang, ...extra })}`;
}

/** Where Twilio fetches the outbound call's TwiML and sends its status (placed by the dispatcher). */
export function outboundUrls(o: OutboundTarget): { url: string; statusCallback: string } {
  const q = new URLSearchParams({ id: o.id, v: o.version, l: o.lang });
  return {
    url: `${o.base}/voice/callback/answer?${q}`,
    statusCallback: `${o.base}/voice/callback/status?${new URLSearchParams({ id: o.id })}`,
  };
}

const outboundQuerySchema = z.object({
  id: z
    .unknown()
    .optional()
    .transform((id) => (typeof id === 'string' ? id.trim() : ''))
    .transform((id) => (/^[A-Za-z0-9_-]{2,64}$/.test(id) ? id : undefined)),
  v: z.string().optional().catch(undefined),
  r: z
    .unknown()
    .optional()
    .transform((r) => r === '1'),
  e: z
    .unknown()
    .optional()
    .transform((e) => e === 'noinput'),
});

export interface OutboundQuery {
  id: string | undefined;
  version: string | undefined;
  /** The greeting was already repeated once. */
  repeated: boolean;
  noInput: boolean;
}

export function parseOutboundQuery(query: unknown): OutboundQuery {
  const q = outboundQuerySchema.parse(record(query));
  return { id: q.id, version: q.v, repeated: q.r, noInput: q.e };
}

// --- Reading our own URLs back (simulate) ----------------------------------------------------

/** The route (flow node) a queue callback URL names. */
export function routeOfUrl(url: string): string | undefined {
  try {
    return new URL(url, 'http://localhost').searchParams.get('route') ?? undefined;
  } catch {
    return undefined;
  }
}

function record(query: unknown): Record<string, unknown> {
  return typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
}
