// A small structural checker for TwiML: which verbs may appear where, which attributes each
// verb accepts (Twilio's documented attributes), and our own rules on callback URLs (absolute,
// on PUBLIC_URL's host) and menus (numDigits="1"). Returns the list of violations (empty = ok).
import { XMLValidator } from 'fast-xml-parser';
import { attrs, childrenOf, parseTwiml, textOf, verbName, type TwimlNode } from '../../src/telephony/player.js';

/** Verbs Twilio accepts directly under <Response> (Voice). */
export const RESPONSE_VERBS = new Set([
  'Say',
  'Play',
  'Pause',
  'Gather',
  'Redirect',
  'Enqueue',
  'Dial',
  'Hangup',
  'Leave',
  'Record',
  'Reject',
]);

/** Children each verb may hold ('#text' = text content). */
const CHILDREN: Record<string, ReadonlySet<string>> = {
  Gather: new Set(['Say', 'Play', 'Pause']),
  Dial: new Set(['Number', 'Sip', 'Client', 'Queue', 'Conference', '#text']),
  Enqueue: new Set(['Task', '#text']),
  // SSML is allowed inside <Say>.
  Say: new Set([
    '#text',
    'break',
    'emphasis',
    'lang',
    'p',
    'phoneme',
    'prosody',
    's',
    'say-as',
    'sub',
    'w',
    'amazon:effect',
    'amazon:domain',
  ]),
  Play: new Set(['#text']),
  Redirect: new Set(['#text']),
  Number: new Set(['#text']),
  Sip: new Set(['#text']),
  Client: new Set(['#text', 'Identity', 'Parameter']),
  Queue: new Set(['#text']),
  Task: new Set(['#text']),
  Conference: new Set(['#text']),
  Pause: new Set(),
  Hangup: new Set(),
  Leave: new Set(),
  Record: new Set(),
  Reject: new Set(),
};

/** Attributes per verb/noun, from Twilio's TwiML reference. */
const ATTRIBUTES: Record<string, ReadonlySet<string>> = {
  Say: new Set(['voice', 'language', 'loop']),
  Play: new Set(['loop', 'digits']),
  Pause: new Set(['length']),
  Gather: new Set([
    'action',
    'method',
    'numDigits',
    'timeout',
    'input',
    'finishOnKey',
    'actionOnEmptyResult',
    'language',
    'hints',
    'speechTimeout',
    'speechModel',
    'profanityFilter',
    'partialResultCallback',
    'partialResultCallbackMethod',
    'enhanced',
    'bargeIn',
    'debug',
    'maxSpeechTime',
  ]),
  Redirect: new Set(['method']),
  Enqueue: new Set(['action', 'method', 'waitUrl', 'waitUrlMethod', 'workflowSid', 'maxQueueSize']),
  Task: new Set(['priority', 'timeout']),
  Dial: new Set([
    'action',
    'method',
    'timeout',
    'hangupOnStar',
    'timeLimit',
    'callerId',
    'record',
    'trim',
    'recordingStatusCallback',
    'recordingStatusCallbackMethod',
    'recordingStatusCallbackEvent',
    'answerOnBridge',
    'ringTone',
    'recordingTrack',
    'sequential',
    'referUrl',
    'referMethod',
    'events',
  ]),
  Hangup: new Set(),
  Leave: new Set(),
  Record: new Set([
    'action',
    'method',
    'timeout',
    'finishOnKey',
    'maxLength',
    'playBeep',
    'trim',
    'recordingStatusCallback',
    'recordingStatusCallbackMethod',
    'recordingStatusCallbackEvent',
    'transcribe',
    'transcribeCallback',
    'storageUrl',
    'storageUrlMethod',
  ]),
  Reject: new Set(['reason']),
  Number: new Set([
    'sendDigits',
    'url',
    'method',
    'statusCallbackEvent',
    'statusCallback',
    'statusCallbackMethod',
    'byoc',
    'machineDetection',
    'amdStatusCallback',
    'amdStatusCallbackMethod',
  ]),
  Sip: new Set([
    'username',
    'password',
    'url',
    'method',
    'statusCallbackEvent',
    'statusCallback',
    'statusCallbackMethod',
    'machineDetection',
    'amdStatusCallback',
    'amdStatusCallbackMethod',
  ]),
  Client: new Set(['url', 'method', 'statusCallbackEvent', 'statusCallback', 'statusCallbackMethod']),
  Queue: new Set(['url', 'method', 'reservationSid', 'postWorkActivitySid']),
  Conference: new Set([
    'muted',
    'beep',
    'startConferenceOnEnter',
    'endConferenceOnExit',
    'waitUrl',
    'waitMethod',
    'maxParticipants',
    'record',
    'region',
    'trim',
    'statusCallback',
    'statusCallbackEvent',
    'statusCallbackMethod',
  ]),
};

/** Attributes holding a callback URL of ours: absolute, on PUBLIC_URL's host. */
const OWN_URL_ATTRIBUTES = new Set([
  'action',
  'waitUrl',
  'url',
  'statusCallback',
  'recordingStatusCallback',
  'transcribeCallback',
  'partialResultCallback',
  'referUrl',
]);
const METHOD_ATTRIBUTES = new Set([
  'method',
  'waitUrlMethod',
  'statusCallbackMethod',
  'recordingStatusCallbackMethod',
  'partialResultCallbackMethod',
  'referMethod',
  'waitMethod',
  'storageUrlMethod',
]);
/** After these, Twilio executes nothing else in the document. */
const FINAL_VERBS = new Set(['Hangup', 'Redirect', 'Reject', 'Leave']);

const UINT = /^[0-9]+$/;
const LANGUAGE = /^[a-z]{2,3}-[A-Z]{2}$/;

export interface TwimlRuleOptions {
  /** PUBLIC_URL, e.g. https://ivr.example.test: every callback must be on its host. */
  publicUrl: string;
}

export function checkTwiml(xml: string, opts: TwimlRuleOptions): string[] {
  const problems: string[] = [];
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return [`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`];
  if (!xml.startsWith('<?xml')) problems.push('missing XML declaration');
  const { verbs, root } = parseTwiml(xml);
  if (root !== 'Response') return [...problems, `root element is ${String(root)}, not Response`];
  const host = new URL(opts.publicUrl).host;

  const checkUrl = (where: string, value: string) => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      problems.push(`${where}: "${value}" is not an absolute URL`);
      return;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push(`${where}: "${value}" is not http(s)`);
    if (u.host !== host) problems.push(`${where}: "${value}" is not on ${host}`);
  };

  const visit = (node: TwimlNode, parent: string, path: string) => {
    if ('#text' in node) {
      if (!CHILDREN[parent]?.has('#text')) problems.push(`${path}: text is not allowed inside <${parent}>`);
      return;
    }
    const name = verbName(node);
    if (name === undefined) return;
    const here = `${path}/${name}`;
    const allowed = parent === 'Response' ? RESPONSE_VERBS : CHILDREN[parent];
    if (!allowed?.has(name)) problems.push(`${here}: <${name}> is not allowed inside <${parent}>`);
    const a = attrs(node);
    const known = ATTRIBUTES[name];
    for (const [key, value] of Object.entries(a)) {
      if (known && !known.has(key)) problems.push(`${here}: attribute ${key} is not accepted on <${name}>`);
      if (OWN_URL_ATTRIBUTES.has(key)) checkUrl(`${here}@${key}`, value);
      if (METHOD_ATTRIBUTES.has(key) && value !== 'GET' && value !== 'POST') problems.push(`${here}@${key}: "${value}" is not GET or POST`);
    }
    switch (name) {
      case 'Gather': {
        for (const key of ['numDigits', 'timeout'] as const) {
          if (a[key] !== undefined && (!UINT.test(a[key]) || Number(a[key]) < 1))
            problems.push(`${here}@${key}: "${a[key]}" is not a positive integer`);
        }
        if (a.input !== undefined && !/^(dtmf|speech)( (dtmf|speech))?$/.test(a.input)) problems.push(`${here}@input: "${a.input}"`);
        if (a.action === undefined) problems.push(`${here}: a Gather without action posts back to the current URL`);
        else if (new URL(a.action, opts.publicUrl).pathname === '/voice/menu' && a.numDigits !== '1')
          problems.push(`${here}: a menu Gather needs numDigits="1", got ${String(a.numDigits)}`);
        if (childrenOf(node).length === 0) problems.push(`${here}: an empty Gather says nothing`);
        break;
      }
      case 'Say':
        if (a.language !== undefined && !LANGUAGE.test(a.language)) problems.push(`${here}@language: "${a.language}"`);
        if (textOf(node).trim() === '') problems.push(`${here}: empty <Say>`);
        break;
      case 'Play':
        try {
          const u = new URL(textOf(node));
          if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push(`${here}: audio URL is not http(s)`);
        } catch {
          problems.push(`${here}: "${textOf(node)}" is not an absolute audio URL`);
        }
        break;
      case 'Pause':
        if (a.length !== undefined && (!UINT.test(a.length) || Number(a.length) < 1)) problems.push(`${here}@length: "${a.length}"`);
        break;
      case 'Redirect':
        checkUrl(here, textOf(node));
        break;
      case 'Enqueue':
        if (a.workflowSid !== undefined) {
          // TaskRouter: no queue name; the task attributes are one JSON object.
          if (!/^WW[0-9a-fA-F]{32}$/.test(a.workflowSid)) problems.push(`${here}@workflowSid: "${a.workflowSid}"`);
          const tasks = childrenOf(node).filter((c) => verbName(c) === 'Task');
          // The Enqueue's own text (a queue name), not its <Task>'s JSON.
          const ownText = childrenOf(node)
            .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : ''))
            .join('');
          if (tasks.length !== 1 || ownText.trim() !== '')
            problems.push(`${here}: a TaskRouter <Enqueue> holds exactly one <Task> and no queue name`);
          else if (!isJsonObject(textOf(tasks[0]!))) problems.push(`${here}/Task: not a JSON object`);
        } else if (!/^[A-Za-z0-9_.-]{1,64}$/.test(textOf(node))) problems.push(`${here}: queue name "${textOf(node)}"`);
        break;
      case 'Dial': {
        const kids = childrenOf(node);
        if (kids.length === 0 && textOf(node).trim() === '') problems.push(`${here}: <Dial> without a target`);
        break;
      }
      case 'Record':
        if (a.maxLength !== undefined && !UINT.test(a.maxLength)) problems.push(`${here}@maxLength: "${a.maxLength}"`);
        if (a.playBeep !== undefined && a.playBeep !== 'true' && a.playBeep !== 'false') problems.push(`${here}@playBeep: "${a.playBeep}"`);
        break;
    }
    for (const child of childrenOf(node)) visit(child, name, here);
  };

  let finalSeen: string | undefined;
  for (const verb of verbs) {
    const name = verbName(verb);
    if ('#text' in verb) {
      problems.push(`/Response: stray text "${String(verb['#text']).slice(0, 40)}"`);
      continue;
    }
    if (finalSeen !== undefined) problems.push(`/Response/${String(name)}: unreachable after <${finalSeen}>`);
    visit(verb, 'Response', '/Response');
    if (name !== undefined && FINAL_VERBS.has(name)) finalSeen = name;
  }
  return problems;
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** How a TwiML answer leaves the IVR, if it does. */
export type TwimlOutcome =
  | { kind: 'menu'; action: string; noInput: string | undefined }
  | { kind: 'queue'; queue: string; action: string | undefined }
  | { kind: 'dial'; target: string; record: string | undefined }
  | { kind: 'hangup' }
  | { kind: 'other'; verbs: string[] };

export function outcomeOf(xml: string): TwimlOutcome {
  const { verbs } = parseTwiml(xml);
  const names = verbs.map((v) => verbName(v) ?? '');
  for (let i = 0; i < verbs.length; i++) {
    const verb = verbs[i] as TwimlNode;
    const a = attrs(verb);
    switch (names[i]) {
      case 'Gather': {
        const next = verbs[i + 1];
        return { kind: 'menu', action: a.action ?? '', noInput: next && verbName(next) === 'Redirect' ? textOf(next) : undefined };
      }
      case 'Enqueue':
        return { kind: 'queue', queue: textOf(verb), action: a.action };
      case 'Dial':
        return {
          kind: 'dial',
          target:
            childrenOf(verb)
              .map((c) => textOf(c))
              .join('') || textOf(verb),
          record: a.record,
        };
      case 'Hangup':
        return { kind: 'hangup' };
    }
  }
  return { kind: 'other', verbs: names };
}
