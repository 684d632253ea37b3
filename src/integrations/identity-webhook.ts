// The CRM's screen pop: a signed JSON POST to IDENTITY_WEBHOOK_URL after the caller has been
// answered. Short timeout, a few retries; never awaited by a webhook, so the caller never waits.
import { createHmac } from 'node:crypto';
import type { Identity } from '../identity/insured-number.js';
import { EnvError, identityProblem, parseEnv, type Env, type RawEnv } from '../config/env.js';

export interface IdentityEvent {
  callSid: string;
  /** The queue id from config/queues.yaml. */
  queue: string;
  insuredNumber: string | null;
  identity: Identity;
  /** ISO instant (UTC) the caller was put through. */
  at: string;
}

export interface IdentityNotifier {
  /** Starts the delivery; resolves when delivered or given up (never rejects). */
  notify(event: IdentityEvent): Promise<boolean>;
  /** Waits for deliveries in flight (shutdown, tests). */
  drain(): Promise<void>;
}

export interface WebhookOptions {
  url: string;
  secret: string;
  timeoutMs?: number;
  /** Delays before the 2nd, 3rd, … attempt. */
  retryDelaysMs?: number[];
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function createIdentityWebhook(opts: WebhookOptions): IdentityNotifier {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const delays = opts.retryDelaysMs ?? [250, 1000];
  const inFlight = new Set<Promise<boolean>>();
  const deliver = async (event: IdentityEvent): Promise<boolean> => {
    const body = JSON.stringify(event);
    const headers = { 'content-type': 'application/json', 'x-infoline-signature': signBody(opts.secret, body) };
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]));
      try {
        const res = await fetch(opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        // A refusal (4xx other than 408/429) will not change on a retry.
        if (res.status < 500 && res.status !== 408 && res.status !== 429) {
          opts.logger?.error({ callSid: event.callSid, statusCode: res.status }, 'identity webhook refused the event');
          return false;
        }
        opts.logger?.warn({ callSid: event.callSid, statusCode: res.status, attempt: attempt + 1 }, 'identity webhook failed; retrying');
      } catch (err) {
        opts.logger?.warn(
          { callSid: event.callSid, error: (err as Error).name, attempt: attempt + 1 },
          'identity webhook unreachable; retrying',
        );
      }
    }
    opts.logger?.error({ callSid: event.callSid }, 'identity webhook gave up');
    return false;
  };
  return {
    notify(event) {
      const p = deliver(event);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    },
    async drain() {
      await Promise.all([...inFlight]);
    },
  };
}

export interface IdentityEnv {
  /** IDENTITY_STATE_KEY as given (validated where the key is derived). */
  stateKey: string | undefined;
  webhook?: { url: string; secret: string } | undefined;
}

/** The identity settings from the environment (src/config/env.ts); the message of a wrong one names the variable. */
export function readIdentityEnv(raw: RawEnv): { ok: true; value: IdentityEnv } | { ok: false; message: string } {
  let env: Pick<Env, 'IDENTITY_WEBHOOK_URL' | 'IDENTITY_WEBHOOK_SECRET' | 'IDENTITY_STATE_KEY'>;
  try {
    env = parseEnv(raw, ['IDENTITY_WEBHOOK_URL', 'IDENTITY_WEBHOOK_SECRET', 'IDENTITY_STATE_KEY']);
  } catch (err) {
    if (err instanceof EnvError) return { ok: false, message: err.message };
    throw err;
  }
  return identitySettings(env);
}

/** The same from the parsed environment. */
export function identitySettings(
  env: Pick<Env, 'IDENTITY_WEBHOOK_URL' | 'IDENTITY_WEBHOOK_SECRET' | 'IDENTITY_STATE_KEY'>,
): { ok: true; value: IdentityEnv } | { ok: false; message: string } {
  const message = identityProblem(env);
  if (message !== undefined) return { ok: false, message };
  const { IDENTITY_WEBHOOK_URL: url, IDENTITY_WEBHOOK_SECRET: secret } = env;
  return {
    ok: true,
    value: { stateKey: env.IDENTITY_STATE_KEY, webhook: url !== undefined && secret !== undefined ? { url, secret } : undefined },
  };
}
