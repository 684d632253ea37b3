// The identification state between webhooks holds the insured number, so it never travels in
// clear: AES-256-GCM (encrypted and authenticated), bound to the call, the config version, the
// route and the language through the additional data, so a sealed state cannot be moved to
// another call. base64url, about 100 characters.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { DialogueState, Phase } from './dialogue.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PHASES: Record<string, Phase> = { n: 'number', c: 'confirm', d: 'dob' };

export interface SealBinding {
  callSid: string;
  version: string;
  route: string;
  lang: string;
}

const aad = (b: SealBinding) => Buffer.from(`${b.callSid}|${b.version}|${b.route}|${b.lang}`);

export function sealState(key: Buffer, binding: SealBinding, state: DialogueState): string {
  const plain = JSON.stringify({
    p: state.phase[0],
    t: state.tries,
    d: state.dobTries,
    ...(state.number !== undefined ? { n: state.number } : {}),
  });
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(binding));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Undefined for anything not sealed by this key for this very call, route and version. */
export function openState(key: Buffer, binding: SealBinding, sealed: string): DialogueState | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES || raw.length > 512) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    const v = JSON.parse(plain) as { p?: unknown; t?: unknown; d?: unknown; n?: unknown };
    const phase = typeof v.p === 'string' ? PHASES[v.p] : undefined;
    if (phase === undefined || !small(v.t) || !small(v.d)) return undefined;
    if (v.n !== undefined && (typeof v.n !== 'string' || !/^\d{9,10}$/.test(v.n))) return undefined;
    return { phase, tries: v.t, dobTries: v.d, number: v.n };
  } catch {
    return undefined;
  }
}

/**
 * The state key: IDENTITY_STATE_KEY (32 bytes, hex or base64), else derived from the Twilio auth
 * token (the same on every instance). Neither: undefined (the caller generates a per-process key).
 */
export function deriveStateKey(explicit: string | undefined, authToken: string | undefined): Buffer | undefined {
  if (explicit !== undefined) return parseKey(explicit);
  if (authToken !== undefined) return Buffer.from(hkdfSync('sha256', authToken, 'infoline', 'identity state v1', 32));
  return undefined;
}

function parseKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('IDENTITY_STATE_KEY must be 32 bytes: 64 hex digits or base64 (openssl rand -base64 32)');
  return key;
}

function small(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 10;
}
