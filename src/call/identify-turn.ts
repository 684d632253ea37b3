// One webhook of the identification dialogue, without I/O: the dialogue step, then either the
// next question (state sealed by the caller-supplied function) or the route's own ending —
// consent and connection, with the task attributes for the agent side.
import type { ConsentRecord } from '../consent/record.js';
import { routeActions, type FlowAction } from '../flow/machine.js';
import type { RouteNode } from '../flow/schema.js';
import { stepDialogue, type DialogueInput, type DialogueStep, type DialogueState, type Line } from '../identity/dialogue.js';
import type { Identity } from '../identity/insured-number.js';
import type { Utterance } from '../speech/speech.js';
import { appendIdentifyQuestion } from '../telephony/identify-twiml.js';
import { resolveQueue } from '../telephony/queues-schema.js';
import { renderActions, type CallbackUrls } from '../telephony/twiml.js';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CompiledConfig } from './compiled.js';
import { consentRecord } from './turn.js';

export interface IdentifyTurnRequest {
  config: CompiledConfig;
  route: string;
  node: RouteNode;
  lang: string;
  /** Undefined when the state could not be opened: the call goes on without identification. */
  state: DialogueState | undefined;
  input: DialogueInput;
  at: number;
  callSid: string;
  from: string | undefined;
  urls: CallbackUrls;
  /**
   * sha256 per language of the notice the caller heard (signed URL state): the consent names it
   * even where `config` is not the version the notice was played on.
   */
  heardNotices?: Readonly<Record<string, string>> | undefined;
  /** The URL of the next question, carrying the sealed state. */
  nextUrl(state: DialogueState): string;
}

export interface IdentifyOutcome {
  identity: Identity;
  insuredNumber: string | null;
  /** The queue id the call is put through to. */
  queue: string;
}

export interface IdentifyTurn {
  /** Set when the dialogue ended and the call is being connected. */
  outcome?: IdentifyOutcome | undefined;
  consent?: ConsentRecord | undefined;
  render(recordDial: boolean): string;
}

export function playIdentifyTurn(req: IdentifyTurnRequest): IdentifyTurn {
  const { config, lang } = req;
  const step: DialogueStep =
    req.state === undefined ? { kind: 'done', identity: 'none', say: [{ key: 'identify.without' }] } : stepDialogue(req.state, req.input);
  const utter = (line: Line): Utterance => config.speech.utter(lang, line.key, line.vars);
  if (step.kind === 'ask') {
    const url = req.nextUrl(step.state);
    return {
      render: () => {
        const response = new VoiceResponse();
        appendIdentifyQuestion(response, {
          action: url,
          noInput: `${url}&e=noinput`,
          singleKey: step.singleKey,
          utterances: [...step.say, ...step.prompt].map(utter),
        });
        return response.toString();
      },
    };
  }
  const outcome: IdentifyOutcome = { identity: step.identity, insuredNumber: step.insuredNumber ?? null, queue: req.node.queue };
  const actions: FlowAction[] = [{ type: 'say', keys: step.say.map((l) => l.key), lang }, ...routeActions(req.route, req.node, lang)];
  const consentAction = actions.find((a): a is Extract<FlowAction, { type: 'recordConsent' }> => a.type === 'recordConsent');
  return {
    outcome,
    consent: consentAction ? consentRecord(req, consentAction) : undefined,
    render: (recordDial) =>
      renderActions(actions, {
        utter: (l, key, vars) => config.speech.utter(l, key, vars),
        sayTexts: (a) => a.keys.map((k) => config.speech.utter(a.lang, k)),
        queue: (id) => resolveQueue(config.bundle.queues, id),
        urls: req.urls,
        state: { node: req.route, retries: 0, lang, heard: [] },
        recordDial,
        task: JSON.stringify({ insuredNumber: outcome.insuredNumber, identity: outcome.identity }),
      }),
  };
}
