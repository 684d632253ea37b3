// The call state in the callback URL's query (covered by Twilio's signature), so any
// instance can answer any step without a session store.
import type { CallState } from '../flow/machine.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';

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
  if (notices !== undefined) {
    const list = Object.entries(notices).map(([lang, sha]) => `${lang}.${sha}`);
    if (list.length > 0) params.set('nv', list.join(','));
  }
  return params.toString();
}

const NOTICE = /^([a-z]{2})\.([0-9a-f]{64})$/;

function decodeNotices(nv: string | undefined): Record<string, string> | undefined {
  if (nv === undefined || nv === '') return undefined;
  const out: Record<string, string> = {};
  for (const part of nv.split(',').slice(0, 8)) {
    const m = NOTICE.exec(part);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Undefined when the query does not hold a usable state (then the call starts over). */
export function decodeCallQuery(query: Record<string, unknown>): PinnedState | undefined {
  const v = one(query.v);
  const n = one(query.n);
  const r = Number(one(query.r) ?? '0');
  const l = one(query.l) ?? DEFAULT_LANGUAGE;
  const h = one(query.h);
  if (v === undefined || !/^[0-9a-f]{6,64}$/.test(v) || n === undefined || !NAME.test(n)) return undefined;
  if (!Number.isInteger(r) || r < 0 || r > 10 || !/^[a-z]{2}$/.test(l)) return undefined;
  const heard = h === undefined || h === '' ? [] : h.split(',').filter((x) => NAME.test(x));
  return { version: v, state: { node: n, retries: r, lang: l, heard }, notices: decodeNotices(one(query.nv)) };
}

function one(value: unknown): string | undefined {
  if (Array.isArray(value)) return one(value[0]);
  return typeof value === 'string' ? value : undefined;
}
