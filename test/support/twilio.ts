// Signed Twilio requests for tests, made with twilio's own signature helper.
import type { FastifyInstance } from 'fastify';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { randomBytes } from 'node:crypto';

export const TEST_TOKEN = 'test-auth-token-0123456789abcdef';
export const TEST_BASE = 'https://ivr.example.test';

export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export interface SignedPostOptions {
  token?: string | undefined;
  base?: string;
  /** Override the signature (forgery tests). */
  signature?: string | null;
  /** More request headers (e.g. I-Twilio-Idempotency-Token on a retry). */
  headers?: Record<string, string>;
}

/** POST a form to `pathOrUrl` as Twilio would, signed over base + path + query + sorted params. */
export async function signedPost(app: FastifyInstance, pathOrUrl: string, params: Record<string, string>, opts: SignedPostOptions = {}) {
  const base = opts.base ?? TEST_BASE;
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : base + pathOrUrl;
  const u = new URL(url);
  const token = opts.token === undefined ? TEST_TOKEN : opts.token;
  const headers: Record<string, string> = { ...opts.headers, 'content-type': 'application/x-www-form-urlencoded' };
  const signature = opts.signature === undefined ? (token ? getExpectedTwilioSignature(token, url, params) : undefined) : opts.signature;
  if (signature !== undefined && signature !== null) headers['x-twilio-signature'] = signature;
  return app.inject({ method: 'POST', url: u.pathname + u.search, headers, payload: new URLSearchParams(params).toString() });
}
