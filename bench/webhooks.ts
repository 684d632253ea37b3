// Requests shaped like Twilio's: a real voice webhook body (25 parameters) signed with
// twilio's own helper against the production-style PUBLIC_URL (https, no port).
import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';

export const TOKEN = 'bench-auth-token-0123456789abcdef';
export const PUBLIC_URL = 'https://ivr.bench.example';

export function webhookParams(callSid: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'in-progress',
    Called: '+420261105555',
    CalledCity: '',
    CalledCountry: 'CZ',
    CalledState: '',
    CalledZip: '',
    Caller: '+420603123456',
    CallerCity: '',
    CallerCountry: 'CZ',
    CallerState: '',
    CallerZip: '',
    Direction: 'inbound',
    From: '+420603123456',
    FromCity: '',
    FromCountry: 'CZ',
    FromState: '',
    FromZip: '',
    To: '+420261105555',
    ToCity: '',
    ToCountry: 'CZ',
    ToState: '',
    ToZip: '',
    ...extra,
  };
}

export const callSid = () => `CA${randomBytes(16).toString('hex')}`;

export interface Signed {
  body: string;
  signature: string;
}

/** `size` requests to `path`, each a distinct CallSid, pre-signed. */
export function signedPool(path: string, size: number, extra: Record<string, string> = {}): Signed[] {
  const out: Signed[] = [];
  for (let i = 0; i < size; i++) {
    const params = webhookParams(callSid(), extra);
    out.push({ body: new URLSearchParams(params).toString(), signature: getExpectedTwilioSignature(TOKEN, PUBLIC_URL + path, params) });
  }
  return out;
}

export function signedHeaders(path: string, params: Record<string, string>): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': getExpectedTwilioSignature(TOKEN, PUBLIC_URL + path, params),
  };
}

export async function postSigned(port: number, path: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: signedHeaders(path, params),
    body: new URLSearchParams(params).toString(),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body}`);
  return body;
}

/** The path (and query) of the first <Gather action> in a TwiML answer. */
export function gatherPath(twiml: string): string {
  const m = /<Gather[^>]* action="([^"]+)"/.exec(twiml);
  if (!m?.[1]) throw new Error(`no Gather action in ${twiml}`);
  return m[1].replaceAll('&amp;', '&').replace(PUBLIC_URL, '');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
