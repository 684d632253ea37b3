// The console's simulator: one call played through the real webhook routes (buildApp +
// app.inject + playCall, like `infoline simulate`) on the running service's current config
// and its live switch store, so an emergency closure set a moment ago is heard. Consents go
// to a MemoryConsentLog only: a simulated call never reaches the real consent log.
//
// Two things the console needs beyond `infoline simulate`:
// - "no input" anywhere in the sequence (the CLI is silent only after the last key): the
//   poster below acts as Twilio does when a Gather times out — it follows the <Redirect>
//   after the Gather instead of posting the Gather's action;
// - step by step: by default the call stops at the first menu still waiting for a key (or at a
//   number being typed, until its #), so the keypad can continue it; `untilEnd` stays silent to
//   the end, exactly like the CLI.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import type { ConfigRegistry } from '../config/registry.js';
import { createMetrics } from '../http/metrics.js';
import { endLine, toJson, type SimulatedCall } from '../simulation/transcript.js';
import { MemoryConsentLog } from '../store/memory-consent-log.js';
import type { SwitchStore } from '../store/ports.js';
import type { KeypadInput, SimResult } from './contracts/flow.js';
import { incomingPath } from '../telephony/callback-urls.js';
import { parseTwiml, playCall, textOf, verbName, type PlayedStep } from '../telephony/player.js';

/** A keypad entry: a key, or no input (the caller stays silent until the Gather times out). */
export const NO_INPUT = 'silence' satisfies KeypadInput;
export const KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', NO_INPUT] as const satisfies readonly KeypadInput[];

export interface ConsoleSimulation {
  at: number;
  language: string;
  inputs: KeypadInput[];
  untilEnd?: boolean;
}

const SIM_CALL_SID = 'CA0c0501e0000000000000000000000000';
const SIM_FROM = '+420600000000';

function redirectOf(twiml: string): string | undefined {
  const redirect = parseTwiml(twiml).verbs.find((v) => verbName(v) === 'Redirect');
  return redirect ? textOf(redirect) : undefined;
}

export async function simulateOnConsole(
  deps: { registry: ConfigRegistry; switches: SwitchStore },
  sim: ConsoleSimulation,
): Promise<SimResult> {
  const config = deps.registry.current;
  if (!config) throw new Error('no configuration loaded');
  const consentLog = new MemoryConsentLog();
  const app: FastifyInstance = await buildApp({
    registry: deps.registry,
    consentLog,
    switches: deps.switches,
    now: () => sim.at,
    logger: false,
    metrics: createMetrics({ defaultMetrics: false }),
  });
  try {
    await app.ready();
    const requested: string[] = [];
    let lastBody = '';
    const played = await playCall({
      start: incomingPath(sim.language),
      params: { CallSid: SIM_CALL_SID, From: SIM_FROM, To: '+420261105555', CallStatus: 'in-progress', Direction: 'inbound' },
      presses: [...sim.inputs],
      // Without untilEnd: stop where the caller has to choose and the inputs have run out.
      stopAtGather: !sim.untilEnd,
      post: async (url, params) => {
        let target = url;
        let body = params;
        if (params.Digits === NO_INPUT) {
          // Twilio on a Gather timeout: no action request; the verb after the Gather runs.
          target = redirectOf(lastBody) ?? url;
          body = Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'Digits'));
        }
        const u = new URL(target, 'http://localhost');
        requested.push(u.pathname + u.search);
        const res = await app.inject({
          method: 'POST',
          url: u.pathname + u.search,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(body).toString(),
        });
        lastBody = res.body;
        return { status: res.statusCode, body: res.body };
      },
    });
    const steps: PlayedStep[] = played.steps.map((s, i) => ({ ...s, request: requested[i] ?? s.request }));
    const waiting = played.end.kind === 'waiting';
    // An entry counts its keys ("6808215469#"), a no-input marker one input.
    const taken = played.presses.reduce((n, p) => n + (p === NO_INPUT ? 1 : p.length), 0);
    const call: SimulatedCall = {
      ...played,
      steps,
      at: sim.at,
      language: sim.language,
      version: config.version,
      consents: await consentLog.list(),
    };
    return {
      call: toJson(call),
      endText: waiting ? null : endLine(played.end),
      waiting,
      unused: waiting ? 0 : sim.inputs.length - taken,
      typing: waiting ? sim.inputs.length - taken : 0,
    };
  } finally {
    await app.close();
  }
}
