// The consent record: what the data-protection officer can export, and nothing more.
import { createHash } from 'node:crypto';

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
 * Masks a phone number: keeps the country prefix and operator digits (first 7 characters
 * of an E.164 number) and the last 3 digits, stars in between: +420603123456 → +420603***456.
 * Short or non-numeric values (anonymous, SIP URIs) keep at most their first 3 characters.
 */
export function maskCaller(raw: string | undefined | null): string {
  const value = (raw ?? '').trim();
  if (value === '') return 'unknown';
  if (/^\+?\d{10,}$/.test(value)) {
    return `${value.slice(0, 7)}***${value.slice(-3)}`;
  }
  if (/^\+?\d{5,9}$/.test(value)) {
    return `${value.slice(0, 2)}***${value.slice(-2)}`;
  }
  return `${value.slice(0, 3)}***`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
