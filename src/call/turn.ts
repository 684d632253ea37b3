// One webhook of a call, start to TwiML, without I/O: the HTTP layer reads the clock, the
// switches and the request, calls this, writes the consent (if any), then sends the TwiML.
import type { ConsentRecord } from '../consent/record.js';
import { maskCaller } from '../consent/record.js';
import type { CallState, FlowAction } from '../flow/machine.js';
import { normalizeDigits, startCall, stepCall, isResumable, type StepResult } from '../flow/step.js';
import type { EmergencyClosure } from '../hours/types.js';
import type { Utterance } from '../speech/speech.js';
import { renderActions, type CallbackUrls } from '../telephony/twiml.js';
import { resolveQueue } from '../telephony/queues-schema.js';
import { scheduleStatus, type CompiledConfig } from './compiled.js';

export type CallInput = { kind: 'start'; lang?: string | undefined } | { kind: 'digits'; digits: unknown } | { kind: 'noInput' };

export interface TurnRequest {
  config: CompiledConfig;
  /** State from the callback URL; undefined for a new call. */
  state: CallState | undefined;
  input: CallInput;
  /** Now, in ms since the epoch, read at the edge. */
  at: number;
  closures: readonly EmergencyClosure[];
  callSid: string;
  from: string | undefined;
  urls: CallbackUrls;
}

export interface Turn {
  step: StepResult;
  /** The consent to write before the TwiML is sent. */
  consent?: ConsentRecord | undefined;
  /** The menu key the caller chose, if it was one the menu maps. */
  choice?: string | undefined;
  /** Schedules that were found closed during this step. */
  closedSchedules: string[];
  render(recordDial: boolean): string;
}

export function playTurn(req: TurnRequest): Turn {
  const { config, at, closures } = req;
  const world = { at, closures };
  let step: StepResult;
  let choice: string | undefined;
  if (req.input.kind === 'start' || req.state === undefined || !isResumable(config.flow, req.state.node)) {
    // A new call, or a state this version cannot continue from (e.g. a node renamed): start over.
    const wanted = req.input.kind === 'start' ? req.input.lang : req.state?.lang;
    step = startCall(config.flow, world, wanted !== undefined && config.speech.languages.includes(wanted) ? wanted : 'cs');
  } else if (req.input.kind === 'noInput') {
    step = stepCall(config.flow, req.state, { type: 'NO_INPUT', ...world });
  } else {
    const digit = normalizeDigits(req.input.digits);
    step = stepCall(config.flow, req.state, { type: 'DIGIT', digit, ...world });
    const node = config.bundle.flow.nodes[req.state.node];
    if (node?.kind === 'menu' && digit in node.options) choice = digit;
  }

  const consentAction = step.actions.find((a): a is Extract<FlowAction, { type: 'recordConsent' }> => a.type === 'recordConsent');
  const consent = consentAction ? consentRecord(req, consentAction) : undefined;
  const closedSchedules: string[] = [];
  const sayTexts = (action: Extract<FlowAction, { type: 'say' }>): Utterance[] => {
    const speech = config.speech;
    if (action.schedule === undefined) return action.keys.map((k) => speech.utter(action.lang, k));
    const found = scheduleStatus(config.bundle, action.schedule, at, closures);
    if (!found) return action.keys.map((k) => speech.utter(action.lang, k));
    if (!found.status.open) closedSchedules.push(action.schedule);
    const vars = speech.closedVars(action.lang, found.schedule, found.status, new Date(at));
    const reason = found.status.open ? undefined : speech.closedReason(action.lang, found.status.reason);
    const out = action.keys.map((k) => speech.utter(action.lang, k, vars));
    if (reason !== undefined) out.splice(1, 0, { ...speech.utter(action.lang, action.keys[0] ?? 'closed.hours'), text: reason, audio: undefined });
    return out;
  };
  const texts = new Map<Extract<FlowAction, { type: 'say' }>, Utterance[]>();
  for (const a of step.actions) if (a.type === 'say') texts.set(a, sayTexts(a));

  return {
    step,
    consent,
    choice,
    closedSchedules,
    render: (recordDial) =>
      renderActions(step.actions, {
        utter: (lang, key, vars) => config.speech.utter(lang, key, vars),
        sayTexts: (a) => texts.get(a) ?? sayTexts(a),
        queue: (id) => resolveQueue(config.bundle.queues, id),
        urls: req.urls,
        state: step.state,
        recordDial,
      }),
  };
}

function consentRecord(req: TurnRequest, action: Extract<FlowAction, { type: 'recordConsent' }>): ConsentRecord {
  const notice = req.config.notices[action.lang] ?? req.config.notices.cs;
  const route = req.config.bundle.flow.nodes[action.route];
  return {
    callSid: req.callSid,
    at: new Date(req.at).toISOString(),
    caller: maskCaller(req.from),
    decision: action.decision,
    language: action.lang,
    route: route?.kind === 'route' ? route.queue : action.route,
    noticeId: notice?.id ?? req.config.bundle.flow.notice,
    noticeVersion: notice?.version ?? '',
    noticeSha256: notice?.sha256 ?? '',
    flowVersion: req.config.version,
  };
}
