// Starts a call recording through Twilio's REST API (POST …/Calls/{CallSid}/Recordings.json),
// the adapter behind the RecordingStarter port. Used only after a granted consent is in the
// log (see /voice/queue/bridged).
//
// Loads only twilio's REST client (`twilio/lib/rest/Twilio`, whose API domains load lazily),
// not the whole package index, and only when recording is configured.
import type TwilioClient from 'twilio/lib/rest/Twilio.js';
import type { RecordingStarter } from '../telephony/recording.js';
import { EnvError, parseEnv, twilioProblem, type RawEnv } from '../config/env.js';
import type { TwilioCredentials } from './twilio-calls.js';

export type { TwilioCredentials };

/** twilio's HTTP transport interface (RequestClient); tests pass a fake of the REST API. */
export type TwilioHttpClient = NonNullable<ConstructorParameters<typeof TwilioClient>[2]>['httpClient'];

export interface TwilioRecordingOptions {
  accountSid: string;
  authToken: string;
  /** The REST call must answer well inside Twilio's 15 s webhook limit. */
  timeoutMs?: number | undefined;
  /** Optional URL Twilio calls when a recording is ready (RecordingStatusCallback). */
  statusCallback?: string | undefined;
  httpClient?: TwilioHttpClient | undefined;
  /** Base URL of the REST API (TWILIO_API_URL): a fake Twilio in tests, or a Twilio-compatible provider. */
  apiUrl?: string | undefined;
}

export const RECORDING_TIMEOUT_MS = 5_000;
export const TWILIO_API_URL = 'https://api.twilio.com';

export class TwilioRecordingStarter implements RecordingStarter {
  private readonly client: Promise<TwilioClient>;
  private readonly timeoutMs: number;

  constructor(private readonly opts: TwilioRecordingOptions) {
    this.timeoutMs = opts.timeoutMs ?? RECORDING_TIMEOUT_MS;
    // Loaded in the background at start, so the first bridged call does not wait for it.
    this.client = import('twilio/lib/rest/Twilio.js').then(({ default: Twilio }) => {
      const client = new Twilio(opts.accountSid, opts.authToken, {
        timeout: this.timeoutMs,
        autoRetry: false,
        ...(opts.httpClient ? { httpClient: opts.httpClient } : {}),
      });
      // The api domain (Calls, Recordings) is built on this base; twilio hardcodes api.twilio.com.
      if (opts.apiUrl !== undefined) client.api.baseUrl = opts.apiUrl.replace(/\/+$/, '');
      return client;
    });
    this.client.catch(() => undefined); // reported by start()
  }

  async start(callSid: string): Promise<void> {
    const client = await this.client;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Twilio did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([
        client.calls(callSid).recordings.create({
          recordingChannels: 'dual',
          recordingTrack: 'both',
          ...(this.opts.statusCallback ? { recordingStatusCallback: this.opts.statusCallback, recordingStatusCallbackMethod: 'POST' } : {}),
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The recording starter the environment asks for: Twilio's REST API when both
 * TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set (at TWILIO_API_URL, default
 * https://api.twilio.com), otherwise none (calls are then never
 * recorded by the API; <Dial record> still applies to dial targets). Throws when
 * TWILIO_ACCOUNT_SID is set but is not an account SID.
 */
export function recordingStarterFromEnv(raw: RawEnv): RecordingStarter | undefined {
  const env = parseEnv(raw, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_URL']);
  const problem = twilioProblem(env);
  if (problem !== undefined) throw new EnvError(problem);
  return recordingStarterFor({ accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, apiUrl: env.TWILIO_API_URL });
}

/** The same from parsed settings (the composition root). */
export function recordingStarterFor(creds: TwilioCredentials): RecordingStarter | undefined {
  if (creds.accountSid === undefined || creds.authToken === undefined) return undefined;
  return new TwilioRecordingStarter({ accountSid: creds.accountSid, authToken: creds.authToken, apiUrl: creds.apiUrl ?? TWILIO_API_URL });
}
