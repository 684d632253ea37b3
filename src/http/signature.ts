// X-Twilio-Signature check against the URL Twilio called: PUBLIC_URL (as configured at the
// proxy / load balancer) + path + query. Uses twilio's own validator.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks.js';

/** The base URL Twilio used: PUBLIC_URL when set, else what the (proxied) request says. */
export function requestBaseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const proto = firstHeader(request.headers['x-forwarded-proto']) ?? request.protocol;
  const host = firstHeader(request.headers['x-forwarded-host']) ?? request.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.split(',')[0]?.trim() || undefined;
}

export interface SignatureOptions {
  authToken: string | undefined;
  publicUrl: string | undefined;
  onFailure(request: FastifyRequest, reason: string): void;
}

/** preHandler: 403 for a missing or wrong signature; a no-op when no token is configured. */
export function twilioSignatureCheck(opts: SignatureOptions) {
  return async function checkSignature(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!opts.authToken) return;
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') {
      opts.onFailure(request, 'missing signature');
      await reply.code(403).type('text/plain').send('Forbidden: missing X-Twilio-Signature');
      return;
    }
    const url = requestBaseUrl(request, opts.publicUrl) + request.url;
    const params = formParams(request.body);
    if (!signedBy(opts.authToken, signature, url, params)) {
      opts.onFailure(request, 'invalid signature');
      await reply.code(403).type('text/plain').send('Forbidden: invalid X-Twilio-Signature');
    }
  };
}

/**
 * One HMAC over the URL as configured, which is what Twilio signs. Only when that does not match
 * does twilio's own validator run, which also tries the URL with and without its port and in
 * escaped forms (up to six HMACs and two URL parses).
 */
function signedBy(authToken: string, signature: string, url: string, params: Record<string, string | string[]>): boolean {
  const expected = Buffer.from(getExpectedTwilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  return validateRequest(authToken, signature, url, params);
}

/** The POST parameters as Twilio signed them (all values strings; repeated keys as arrays). */
export function formParams(body: unknown): Record<string, string | string[]> {
  if (body === null || typeof body !== 'object') return {};
  const fields = body as Record<string, unknown>;
  // The form parser already gives strings and lists of strings: read as it is, not copied per request.
  if (allText(fields)) return fields as Record<string, string | string[]>;
  const out: Record<string, string | string[]> = {};
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map(String);
  }
  return out;
}

function allText(fields: Record<string, unknown>): boolean {
  for (const k in fields) {
    const v = fields[k];
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) return false;
  }
  return true;
}
