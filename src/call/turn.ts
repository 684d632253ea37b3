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
import { hasOwn, ownValue } from '../util/own.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';

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
  /** sha256 per language of the notice the caller heard, from the signed state, when `config` is not the call's own version. */
  heardNotices?: Readonly<Record<string, string>> | undefined;
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
  /**
   * The same TwiML as UTF-8 bytes, remembered with the step: sent as bytes, a 4 kB answer is not
   * measured (Content-Length) and encoded again on every request.
   */
  answer(recordDial: boolean): Buffer;
}

interface MemoEntry {
  step: StepResult;
  choice: string | undefined;
  /** Rendered TwiML by base URL and recording flag, with its UTF-8 bytes once they were asked for. */
  twiml: Map<string, Rendered>;
}

interface Rendered {
  text: string;
  bytes?: Buffer;
}

export function playTurn(req: TurnRequest): Turn {
  const { config, at, closures } = req;
  const world = { at, closures };
  const canResume = req.state !== undefined && isResumable(config.flow, req.state.node);
  const input: CallInput = req.input.kind === 'digits' ? { kind: 'digits', digits: normalizeDigits(req.input.digits) } : req.input;
  const memoKey = `${JSON.stringify(input)}|${canResume ? JSON.stringify(req.state) : '-'}|${req.state?.lang ?? ''}${req.heardNotices ? `|${JSON.stringify(req.heardNotices)}` : ''}`;
  // A step that can read a schedule depends on the clock and the closures: never reuse it.
  const clockFree = !config.clock.step(
    canResume ? req.state?.node : undefined,
    input.kind === 'digits' ? { kind: 'digits', digit: String(input.digits) } : { kind: input.kind },
  );
  const cached = clockFree ? config.memo.get<MemoEntry>(memoKey) : undefined;
  const entry = cached ?? computeStep(req, input, canResume, world);
  if (cached === undefined && clockFree) config.memo.set(memoKey, entry);
  const { step, choice } = entry;

  const consentAction = step.actions.find((a): a is Extract<FlowAction, { type: 'recordConsent' }> => a.type === 'recordConsent');
  const consent = consentAction ? consentRecord(req, consentAction) : undefined;
  const closedSchedules: string[] = [];
  // Clock-dependent texts are worked out now (they tell which schedules were closed); the
  // others only when the answer is rendered, which a remembered step skips.
  const texts = new Map<Extract<FlowAction, { type: 'say' }>, Utterance[]>();
  if (!clockFree) for (const a of step.actions) if (a.type === 'say') texts.set(a, sayTexts(req, a, closedSchedules));

  const renderFresh = (recordDial: boolean) =>
    renderActions(step.actions, {
      utter: (lang, key, vars) => config.speech.utter(lang, key, vars),
      sayTexts: (a) => texts.get(a) ?? sayTexts(req, a, closedSchedules),
      queue: (id) => resolveQueue(config.bundle.queues, id),
      urls: req.urls,
      state: step.state,
      recordDial,
    });
  const rendered = (recordDial: boolean): Rendered => {
    if (!clockFree) return { text: renderFresh(recordDial) };
    const key = `${req.urls.base}|${recordDial ? 1 : 0}`;
    let twiml = entry.twiml.get(key);
    if (twiml === undefined) {
      twiml = { text: renderFresh(recordDial) };
      if (entry.twiml.size < 8) entry.twiml.set(key, twiml);
    }
    return twiml;
  };
  return {
    step,
    consent,
    choice,
    closedSchedules,
    render: (recordDial) => rendered(recordDial).text,
    answer: (recordDial) => {
      const twiml = rendered(recordDial);
      return (twiml.bytes ??= Buffer.from(twiml.text));
    },
  };
}

function computeStep(
  req: TurnRequest,
  input: CallInput,
  canResume: boolean,
  world: { at: number; closures: readonly EmergencyClosure[] },
): MemoEntry {
  const { config } = req;
  let step: StepResult;
  let choice: string | undefined;
  if (input.kind === 'start' || req.state === undefined || !canResume) {
    // A new call, or a state this version cannot continue from (e.g. a node renamed): start over.
    const wanted = input.kind === 'start' ? input.lang : req.state?.lang;
    step = startCall(config.flow, world, wanted !== undefined && config.speech.languages.includes(wanted) ? wanted : DEFAULT_LANGUAGE);
  } else if (input.kind === 'noInput') {
    step = stepCall(config.flow, req.state, { type: 'NO_INPUT', ...world });
  } else {
    const digit = String(input.digits);
    step = stepCall(config.flow, req.state, { type: 'DIGIT', digit, ...world });
    const node = ownValue(config.bundle.flow.nodes, req.state.node);
    if (node?.kind === 'menu' && hasOwn(node.options, digit)) choice = digit;
  }
  return { step, choice, twiml: new Map() };
}

/** What a `say` action speaks; closed-hours texts get the hours, the next opening and the reason. */
function sayTexts(req: TurnRequest, action: Extract<FlowAction, { type: 'say' }>, closedSchedules: string[]): Utterance[] {
  const { speech } = req.config;
  if (action.schedule === undefined) return action.keys.map((k) => speech.utter(action.lang, k));
  const said = scheduleSayTexts(req.config, action.lang, action.keys, action.schedule, req.at, req.closures);
  if (said.closed) closedSchedules.push(action.schedule);
  return said.texts;
}

/**
 * The texts of a say node tied to a schedule, as heard at `at`. The reason (holiday, closure,
 * emergency) comes right after the first sentence; an emergency closure during opening hours
 * replaces that sentence instead ("…is now outside opening hours" would contradict it).
 */
export function scheduleSayTexts(
  config: CompiledConfig,
  lang: string,
  keys: readonly string[],
  scheduleId: string,
  at: number,
  closures: readonly EmergencyClosure[],
): { texts: Utterance[]; closed: boolean } {
  const { speech, bundle } = config;
  const found = scheduleStatus(bundle, scheduleId, at, closures);
  if (!found) return { texts: keys.map((k) => speech.utter(lang, k)), closed: false };
  const { status } = found;
  const vars = speech.closedVars(lang, found.schedule, status, new Date(at));
  const out = keys.map((k) => speech.utter(lang, k, vars));
  if (status.open) return { texts: out, closed: false };
  const reason = speech.closedReason(lang, status.reason);
  if (reason !== undefined && out[0] !== undefined) {
    const duringHours = status.reason.kind === 'emergency' && scheduleStatus(bundle, scheduleId, at, [])?.status.open === true;
    out.splice(duringHours ? 0 : 1, duringHours ? 1 : 0, { ...out[0], text: reason, audio: undefined });
  }
  return { texts: out, closed: true };
}

export function consentRecord(
  req: Pick<TurnRequest, 'config' | 'callSid' | 'from' | 'at' | 'heardNotices'>,
  action: Extract<FlowAction, { type: 'recordConsent' }>,
): ConsentRecord {
  const heard = req.heardNotices?.[action.lang];
  const notice =
    heard !== undefined
      ? { id: req.config.bundle.flow.notice, version: heard.slice(0, 12), sha256: heard }
      : (req.config.notices[action.lang] ?? req.config.notices.cs);
  const route = ownValue(req.config.bundle.flow.nodes, action.route);
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
