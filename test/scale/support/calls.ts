// Calls played against several instances: each webhook step goes to the next instance in
// turn (what a round-robin load balancer without sticky sessions does), and selected menu
// webhooks are retried on every instance, as Twilio does after a timeout.
import { playCall, type PlayedCall, type Poster } from '../../../src/telephony/player.js';
import { newCallSid } from '../../support/twilio.js';
import { PUBLIC_URL, type Instance } from './instance.js';

export interface Scenario {
  /** Keys in order; silence after they run out. */
  presses: string;
  end: { kind: 'queue'; queue: string } | { kind: 'hangup' };
  /** The consent row the call must leave, if any. */
  consent?: { decision: 'granted' | 'declined'; route: string; language: string };
}

/** Independent of the clock: no spa (5), which depends on opening hours. */
export const SCENARIOS: readonly Scenario[] = [
  { presses: '1', end: { kind: 'queue', queue: 'ozp-insurance' }, consent: { decision: 'granted', route: 'insurance', language: 'cs' } },
  { presses: '2', end: { kind: 'queue', queue: 'ozp-vitakarta' }, consent: { decision: 'granted', route: 'vitakarta', language: 'cs' } },
  { presses: '3', end: { kind: 'queue', queue: 'ozp-payments' }, consent: { decision: 'granted', route: 'payments', language: 'cs' } },
  { presses: '4', end: { kind: 'queue', queue: 'ozp-benefits' }, consent: { decision: 'granted', route: 'benefits', language: 'cs' } },
  { presses: '6', end: { kind: 'queue', queue: 'ozp-doctors' }, consent: { decision: 'granted', route: 'doctors', language: 'cs' } },
  { presses: '7', end: { kind: 'queue', queue: 'ozp-travel' }, consent: { decision: 'granted', route: 'travel', language: 'cs' } },
  { presses: '8', end: { kind: 'queue', queue: 'ozp-eu' }, consent: { decision: 'granted', route: 'eu', language: 'cs' } },
  { presses: '0', end: { kind: 'hangup' }, consent: { decision: 'declined', route: 'none', language: 'cs' } },
  { presses: '91', end: { kind: 'queue', queue: 'ozp-english' }, consent: { decision: 'granted', route: 'english', language: 'en' } },
  // Silence at every prompt: after the retries, a person (general queue), no consent.
  { presses: '', end: { kind: 'queue', queue: 'ozp-general' } },
];

export const CALLER = '+420603123456';

export function callParams(callSid: string): Record<string, string> {
  return {
    CallSid: callSid,
    From: CALLER,
    To: '+420261105555',
    AccountSid: 'AC00000000000000000000000000000000',
    CallStatus: 'in-progress',
    Direction: 'inbound',
  };
}

export interface ServedStep {
  path: string;
  instance: string;
}

export interface Retry {
  path: string;
  /** The instances that answered the retried request (the original's answer is compared). */
  instances: string[];
  status: number;
  body: string;
  original: string;
}

export interface RoutedCall extends PlayedCall {
  callSid: string;
  served: ServedStep[];
  retries: Retry[];
}

export interface RouteOptions {
  /** Index of the instance answering the first step; later steps rotate from there. */
  first?: number;
  /** Retry every /voice/menu request on every instance, concurrently, after its answer. */
  retryMenu?: boolean;
  maxSteps?: number;
  callSid?: string;
}

/** Plays one call whose consecutive webhook requests go to consecutive instances. */
export async function playAcross(instances: readonly Instance[], presses: string, opts: RouteOptions = {}): Promise<RoutedCall> {
  if (instances.length === 0) throw new Error('no instances');
  const callSid = opts.callSid ?? newCallSid();
  const served: ServedStep[] = [];
  const retries: Retry[] = [];
  let next = opts.first ?? 0;
  const post: Poster = async (url, params) => {
    const instance = instances[next % instances.length] as Instance;
    next += 1;
    const res = await instance.post(url, params);
    const path = new URL(url).pathname;
    served.push({ path, instance: instance.name });
    if (opts.retryMenu && path === '/voice/menu') {
      const again = await Promise.all(instances.map((i) => i.post(url, params)));
      again.forEach((r, i) => {
        retries.push({ path, instances: [instances[i]?.name ?? '?'], status: r.status, body: r.body, original: res.body });
      });
    }
    return res;
  };
  const played = await playCall({
    start: `${PUBLIC_URL}/voice/incoming`,
    params: callParams(callSid),
    presses: [...presses],
    post,
    maxSteps: opts.maxSteps,
  });
  return { ...played, callSid, served, retries };
}

/** Everything said in a call, in order (Say texts). */
export function spoken(call: PlayedCall): string {
  return call.steps
    .flatMap((s) => s.heard)
    .map((h) => (h.kind === 'say' ? h.text : ''))
    .join(' ');
}
