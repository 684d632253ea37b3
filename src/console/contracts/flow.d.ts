// The console's JSON API: what the line does now (config state, flow, outline, today) and the
// simulator. Type-only, shared by the server and web/src (see session.d.ts).
import type { Closure } from './hours.js';
import type { ConsentRow } from './consents.js';

/** A config edit the service refused (the previous version keeps running). */
export interface RefusedIssue {
  file: string;
  line: number;
  path: string;
  message: string;
  column?: number | undefined;
  /** The issue as `infoline validate` prints it. */
  text: string;
}

/** GET /api/config-state: small, every open page polls it. */
export interface ConfigState {
  version: string | null;
  loadedAt: string | null;
  refused: RefusedIssue[] | null;
}

/** GET /api/flow. */
export interface FlowInfo extends ConfigState {
  mermaid: string | null;
  languages: string[];
}

export interface ScheduleState {
  id: string;
  name: string;
  open: boolean;
  /** When it closes (open) or opens again (closed), ISO. */
  closesAt: string | null;
  nextOpening: string | null;
  emergency: Closure | null;
}

export interface OutlineText {
  key: string;
  text: string;
}

export type OutlineNode =
  | {
      kind: 'menu';
      id: string;
      lang: string;
      intro: OutlineText[];
      prompts: OutlineText[];
      options: { key: string; next: OutlineNode }[];
      wrongKeys: string[];
      retries: number;
      exhausted: OutlineNode;
    }
  | {
      kind: 'route';
      id: string;
      lang: string;
      queue: string;
      target: string;
      consent: boolean;
      texts: OutlineText[];
      schedule: ScheduleState | null;
      closed: OutlineNode | null;
    }
  | { kind: 'say'; id: string; lang: string; texts: OutlineText[]; schedule: ScheduleState | null; next: OutlineNode }
  | { kind: 'language'; id: string; lang: string; language: string; next: OutlineNode }
  | { kind: 'goodbye'; id: string; lang: string; texts: OutlineText[]; declined: boolean }
  /** A node already shown higher up (a loop back, e.g. "back to the main menu"). */
  | { kind: 'ref'; id: string; lang: string; menu: boolean };

/** GET /api/outline. */
export interface FlowOutline {
  version: string;
  at: string;
  start: OutlineNode;
}

/** GET /api/today. */
export interface TodayInfo {
  now: string;
  config: ConfigState;
  schedules: ScheduleState[];
  closures: Closure[];
}

/** A keypad entry: a key, or `silence` (the caller presses nothing until the Gather times out). */
export type KeypadInput = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'silence';

/** POST /api/simulate. */
export interface SimulateBody {
  /** The moment the call is placed: a local Prague time or an ISO instant. */
  at: string;
  language?: string | undefined;
  inputs?: KeypadInput[] | undefined;
  /** Stay silent to the end (like `infoline simulate`) instead of stopping at the next menu. */
  untilEnd?: boolean | undefined;
}

export type HeardItem =
  | { kind: 'say'; text: string; language?: string | undefined; voice?: string | undefined; inGather: boolean }
  | { kind: 'play'; url: string; inGather: boolean }
  | { kind: 'pause'; seconds: number };

export interface SimStep {
  request: string;
  input: string | null;
  heard: HeardItem[];
}

/** Where the simulated call left the IVR; `route` is the flow's route node when known. */
export type SimEnd = (
  | { kind: 'queue'; queue: string; action?: string | undefined; waitUrl?: string | undefined; workflowSid?: string | undefined }
  | { kind: 'dial'; target: string; record?: string | undefined }
  | { kind: 'hangup' }
  | { kind: 'error'; message: string }
  | { kind: 'waiting' }
) & { route?: string | undefined };

/** The document of `infoline simulate --json`. */
export interface SimulatedCallJson {
  at: string;
  language: string;
  version: string;
  steps: SimStep[];
  presses: string[];
  end: SimEnd;
  consents: ConsentRow[];
}

/** The answer of POST /api/simulate. */
export interface SimResult {
  call: SimulatedCallJson;
  /** The CLI's last line ("call ended: …"), or null while the call waits for a key. */
  endText: string | null;
  /** True when the call stopped at a menu waiting for the next key. */
  waiting: boolean;
  /** Inputs left over after the call ended. */
  unused: number;
  /** Keys of a number being typed (no # yet), held while the call waits: not yet sent. */
  typing: number;
}
