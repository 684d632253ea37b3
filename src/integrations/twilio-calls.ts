// Places an outbound call through Twilio's REST API (POST /2010-04-01/Accounts/{sid}/Calls.json)
// with plain fetch: one form POST needs no SDK, and TWILIO_API_URL lets tests and
// Twilio-compatible providers point it elsewhere.
import { maskCaller } from '../consent/record.js';

export interface OutboundCall {
  to: string;
  from: string;
  url: string;
  statusCallback: string;
}

export interface CallPlacer {
  /** Resolves to the new call's CallSid; throws when the API refused or did not answer. */
  place(call: OutboundCall): Promise<string>;
}

export interface TwilioCallsOptions {
  accountSid: string;
  authToken: string;
  /** Default https://api.twilio.com. */
  apiUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

export const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';

export class TwilioCallPlacer implements CallPlacer {
  private readonly endpoint: string;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(opts: TwilioCallsOptions) {
    const base = (opts.apiUrl ?? DEFAULT_TWILIO_API_URL).replace(/\/+$/, '');
    this.endpoint = `${base}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Calls.json`;
    this.auth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async place(call: OutboundCall): Promise<string> {
    const form = new URLSearchParams({
      To: call.to,
      From: call.from,
      Url: call.url,
      Method: 'POST',
      StatusCallback: call.statusCallback,
      StatusCallbackMethod: 'POST',
      MachineDetection: 'Enable',
    });
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { authorization: this.auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) {
      // Twilio's error message may quote the number ("The 'To' number +420… is not valid"): masked.
      let detail = '';
      try {
        const j = JSON.parse(text) as { code?: unknown; message?: unknown };
        detail = ` (code ${String(j.code)}: ${String(j.message).replace(/\+?\d{5,}/g, (n) => maskCaller(n))})`;
      } catch {
        // not JSON
      }
      throw new Error(`Twilio refused the call: HTTP ${res.status}${detail}`);
    }
    const sid = (JSON.parse(text) as { sid?: unknown }).sid;
    if (typeof sid !== 'string' || sid === '') throw new Error('Twilio answered without a call sid');
    return sid;
  }
}

/** Twilio REST credentials from the settings (src/config/env.ts); the API URL is optional. */
export interface TwilioCredentials {
  accountSid: string | undefined;
  authToken: string | undefined;
  apiUrl: string | undefined;
}

/** Needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN; TWILIO_API_URL is optional. */
export function callPlacerFor(creds: TwilioCredentials | undefined): CallPlacer | undefined {
  if (creds?.accountSid === undefined || creds.authToken === undefined) return undefined;
  return new TwilioCallPlacer({ accountSid: creds.accountSid, authToken: creds.authToken, apiUrl: creds.apiUrl });
}
