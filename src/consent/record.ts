// The consent record: what the data-protection officer can export, and nothing more.
import { createHash } from 'node:crypto';
import metadata from 'libphonenumber-js/min/metadata';

export type ConsentDecision = 'granted' | 'declined';

export interface ConsentRecord {
  /** Twilio CallSid (CA + 32 hex). */
  callSid: string;
  /** When the decision was made, ISO 8601 UTC with milliseconds (e.g. 2026-11-25T08:00:00.000Z). */
  at: string;
  /** Caller number masked, e.g. +420603***456 (never the full number). */
  caller: string;
  decision: ConsentDecision;
  /** Language the notice was played in (cs, en). */
  language: string;
  /** Where the call went: a queue id for granted, "none" for declined. */
  route: string;
  /** Which notice text the caller heard. */
  noticeId: string;
  noticeVersion: string;
  /** sha256 of the exact notice text, 64 lowercase hex digits. */
  noticeSha256: string;
  /** Content hash of the config version the call ran on. */
  flowVersion: string;
}

export const CONSENT_FIELDS = [
  'callSid',
  'at',
  'caller',
  'decision',
  'language',
  'route',
  'noticeId',
  'noticeVersion',
  'noticeSha256',
  'flowVersion',
] as const satisfies readonly (keyof ConsentRecord)[];

/**
 * Country calling codes (1–3 digits, prefix-free by ITU design), from libphonenumber's metadata
 * alone: one module, where the library's entry point loads some ninety (cold start, issue 17).
 */
const CALLING_CODES = new Set(Object.keys(metadata.country_calling_codes));

/** Digits the mask may show at each end of the national number, and the fewest it hides. */
const SHOWN_PREFIX = 3;
const SHOWN_SUFFIX = 3;
const MIN_HIDDEN = 3;

/**
 * Masks a phone number so that at least three digits are hidden: the country code, at most
 * three digits of the national prefix and the last three may show, fewer when the number is
 * short: +420603123456 → +420603***456, +12025550123 → +1202****123, +4930123456 → +4930***456.
 * One star per hidden digit. An already masked number is masked again by the same rule (its
 * stars stay hidden), so rows masked by an older, weaker rule come out right too. Values that
 * are not a number (anonymous, SIP URIs) keep at most their first 3 characters, and none of
 * them if they hold a digit.
 */
export function maskCaller(raw: string | undefined | null): string {
  const value = (raw ?? '').trim();
  if (value === '') return 'unknown';
  const compact = value.replace(/[\s().-]/g, '');
  if (/^\+?[\d*]+$/.test(compact)) return maskDigits(compact);
  const head = value.slice(0, 3);
  return /\d/.test(head) ? '***' : `${head}***`;
}

/** `number`: digits, or digits and stars (an earlier mask; a star is a digit known to be hidden). */
function maskDigits(number: string): string {
  const plus = number.startsWith('+');
  const digits = plus ? number.slice(1) : number;
  const cc = plus ? ([1, 2, 3].map((n) => digits.slice(0, n)).find((c) => CALLING_CODES.has(c) && c.length < digits.length) ?? '') : '';
  const national = digits.slice(cc.length);
  const n = national.length;
  const suffix = Math.min(SHOWN_SUFFIX, Math.max(0, n - MIN_HIDDEN));
  const prefix = Math.min(SHOWN_PREFIX, Math.max(0, n - MIN_HIDDEN - suffix));
  const hidden = n - prefix - suffix;
  // A national part too short to hide three digits takes the country code down with it.
  const shownCc = hidden >= MIN_HIDDEN ? cc : '';
  const stars = hidden + (cc.length - shownCc.length);
  return `${plus ? '+' : ''}${shownCc}${national.slice(0, prefix)}${'*'.repeat(stars)}${national.slice(n - suffix)}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
