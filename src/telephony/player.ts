// Plays a call the way Twilio does: reads each TwiML answer verb by verb, follows Gather
// actions with the next key, Redirects, and stops where the call leaves the IVR. Used by
// `infoline simulate` and the tests; the requests go through the real webhook routes.
import { XMLParser } from 'fast-xml-parser';

export type PlayedItem =
  | { kind: 'say'; text: string; language?: string | undefined; voice?: string | undefined; inGather: boolean }
  | { kind: 'play'; url: string; inGather: boolean }
  | { kind: 'pause'; seconds: number };

export interface PlayedStep {
  /** Path and query of the webhook requested (no host). */
  request: string;
  /** The key sent with this request ('' for none), or 'silence' for a no-input redirect. */
  input?: string | undefined;
  status: number;
  heard: PlayedItem[];
  /** The TwiML answered, for tests that check structure. */
  twiml: string;
}

export type CallEnd =
  | { kind: 'queue'; queue: string; action?: string | undefined; waitUrl?: string | undefined; workflowSid?: string | undefined }
  | { kind: 'dial'; target: string; record?: string | undefined }
  | { kind: 'hangup' }
  | { kind: 'error'; message: string }
  /** Only with `stopAtGather`: the caller has still to choose (or to finish typing a number). */
  | { kind: 'waiting' };

export interface PlayedCall {
  steps: PlayedStep[];
  presses: string[];
  end: CallEnd;
}

export type Poster = (url: string, params: Record<string, string>) => Promise<{ status: number; body: string }>;

export type TwimlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  trimValues: true,
});

/** Parses TwiML into [{ Verb: children, ':@': attrs }] (fast-xml-parser's ordered form). */
export function parseTwiml(xml: string): { verbs: TwimlNode[]; root: string | undefined } {
  const doc = parser.parse(xml) as TwimlNode[];
  const root = doc.find((n) => !('?xml' in n));
  if (!root) return { verbs: [], root: undefined };
  const name = verbName(root);
  return { verbs: (root[name as string] as TwimlNode[] | undefined) ?? [], root: name };
}

export function verbName(node: TwimlNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

export function attrs(node: TwimlNode): Record<string, string> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

/** The text inside a verb, SSML elements (e.g. <prosody>) included. */
/** SSML inside <Say> (e.g. <prosody rate>) is part of the text; nested verbs (an <Enqueue>'s <Task>) are not. */
const SSML = new Set(['prosody', 'lang', 'emphasis', 'say-as', 'sub', 'p', 's', 'w', 'phoneme', 'amazon:effect', 'amazon:domain']);

export function textOf(node: TwimlNode): string {
  const name = verbName(node);
  const children = (name ? (node[name] as TwimlNode[] | undefined) : undefined) ?? [];
  return children.map((c) => (typeof c['#text'] === 'string' ? c['#text'] : SSML.has(verbName(c) ?? '') ? textOf(c) : '')).join('');
}

export function childrenOf(node: TwimlNode): TwimlNode[] {
  const name = verbName(node);
  return ((name ? node[name] : undefined) as TwimlNode[] | undefined) ?? [];
}

export interface PlayOptions {
  /** The Voice URL (absolute or path) and the call's parameters (CallSid, From, …). */
  start: string;
  params: Record<string, string>;
  /**
   * Keys to press, in order: one per single-key Gather; at a Gather with finishOnKey, the keys
   * up to that key (sent without it, as Twilio does) or up to a * (the caller then waits).
   * When they run out, the caller stays silent.
   */
  presses: string[];
  post: Poster;
  /** Safety bound: a flow that never ends is reported, not followed forever. */
  maxSteps?: number;
  /**
   * Stop at a Gather once the keys run out, or when only the start of an entry is left (no
   * finishing key yet: the caller is still typing), instead of staying silent: the call ends
   * as `waiting`. The console's simulator steps through a call this way, key by key.
   */
  stopAtGather?: boolean;
}

export async function playCall(opts: PlayOptions): Promise<PlayedCall> {
  const pending = [...opts.presses];
  const pressed: string[] = [];
  const steps: PlayedStep[] = [];
  let url = opts.start;
  let input: string | undefined;
  let extra: Record<string, string> = {};
  const max = opts.maxSteps ?? 50;
  for (let i = 0; i < max; i++) {
    const res = await opts.post(url, { ...opts.params, ...extra });
    const step: PlayedStep = { request: pathOf(url), input, status: res.status, heard: [], twiml: res.body };
    steps.push(step);
    if (res.status !== 200) return { steps, presses: pressed, end: { kind: 'error', message: `HTTP ${res.status}` } };
    const { verbs } = parseTwiml(res.body);
    let next: { url: string; input: string | undefined; extra: Record<string, string> } | undefined;
    for (const verb of verbs) {
      const name = verbName(verb);
      const a = attrs(verb);
      if (name === 'Say' || name === 'Play' || name === 'Pause') {
        step.heard.push(heardItem(verb, false));
      } else if (name === 'Gather') {
        for (const child of childrenOf(verb)) step.heard.push(heardItem(child, true));
        if (opts.stopAtGather && !entryReady(pending, a)) return { steps, presses: pressed, end: { kind: 'waiting' } };
        const typed = takeKeys(pending, a);
        if (typed !== undefined) {
          pressed.push(typed.pressed);
          next = { url: a.action ?? url, input: typed.pressed, extra: { Digits: typed.digits } };
          break;
        }
        // No key: Twilio goes on to the verb after the Gather (our Redirect).
      } else if (name === 'Redirect') {
        next = { url: textOf(verb), input: 'silence', extra: {} };
        break;
      } else if (name === 'Enqueue') {
        // With a TaskRouter workflow the queue has no name (the <Task> attributes are not copied:
        // they may hold the insured number).
        const workflow = a.workflowSid !== undefined ? { workflowSid: a.workflowSid } : {};
        return { steps, presses: pressed, end: { kind: 'queue', queue: textOf(verb), action: a.action, waitUrl: a.waitUrl, ...workflow } };
      } else if (name === 'Dial') {
        const target =
          childrenOf(verb)
            .map((c) => textOf(c))
            .join('') || textOf(verb);
        return { steps, presses: pressed, end: { kind: 'dial', target, record: a.record } };
      } else if (name === 'Hangup') {
        return { steps, presses: pressed, end: { kind: 'hangup' } };
      }
    }
    if (!next) return { steps, presses: pressed, end: { kind: 'hangup' } };
    url = next.url;
    input = next.input;
    extra = next.extra;
  }
  return { steps, presses: pressed, end: { kind: 'error', message: `no end after ${max} steps` } };
}

/** A Gather entry (finishOnKey) ends at its finishing key, at a *, after numDigits keys, or at the next non-key. */
const isEntry = (gather: Record<string, string>) =>
  gather.finishOnKey !== undefined && gather.finishOnKey !== '' && gather.numDigits !== '1';
const KEY = /^[0-9*#]$/;

/** Whether the pending keys hold a whole answer to this Gather (takeKeys would not cut an entry short). */
function entryReady(pending: readonly string[], gather: Record<string, string>): boolean {
  if (pending.length === 0) return false;
  if (!isEntry(gather)) return true;
  let digits = 0;
  for (const key of pending) {
    if (!KEY.test(key) || key === gather.finishOnKey || key === '*') return true;
    if (++digits >= Number(gather.numDigits ?? Infinity)) return true;
  }
  return false;
}

function takeKeys(pending: string[], gather: Record<string, string>): { pressed: string; digits: string } | undefined {
  if (pending.length === 0) return undefined;
  const finish = gather.finishOnKey;
  if (!isEntry(gather)) {
    const key = pending.shift() ?? '';
    return { pressed: key, digits: key };
  }
  let digits = '';
  while (pending.length > 0) {
    // A caller's entry is made of single keys; anything else (e.g. a "silence" marker) ends it.
    if (!KEY.test(pending[0] ?? '')) {
      if (digits === '') {
        const other = pending.shift() ?? '';
        return { pressed: other, digits: other };
      }
      break;
    }
    const key = pending.shift() ?? '';
    if (key === finish) return { pressed: `${digits}${key}`, digits };
    digits += key;
    if (key === '*' || digits.length >= Number(gather.numDigits ?? Infinity)) break;
  }
  return { pressed: digits, digits };
}

function heardItem(node: TwimlNode, inGather: boolean): PlayedItem {
  const name = verbName(node);
  const a = attrs(node);
  if (name === 'Play') return { kind: 'play', url: textOf(node), inGather };
  if (name === 'Pause') return { kind: 'pause', seconds: Number(a.length ?? 1) };
  return { kind: 'say', text: textOf(node), language: a.language, voice: a.voice, inGather };
}

function pathOf(url: string): string {
  try {
    const u = new URL(url, 'http://local');
    return u.pathname + u.search;
  } catch {
    return url;
  }
}
