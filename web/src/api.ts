// The console's JSON API (src/console/plugin.ts): types of its answers and one fetch helper
// that sends the CSRF token with every write.

export type Role = 'viewer' | 'supervisor' | 'dpo';
export type Permission = 'read' | 'closures' | 'consents';

export interface User {
  name: string;
  role: Role;
  permissions: Permission[];
}

export interface SessionInfo {
  user: User | null;
  csrfToken: string;
}

export interface RefusedIssue {
  file: string;
  line: number;
  path: string;
  message: string;
  text: string;
}

export interface FlowInfo {
  version: string | null;
  loadedAt: string | null;
  mermaid: string | null;
  languages: string[];
  refused: RefusedIssue[] | null;
}

export type HeardItem =
  | { kind: 'say'; text: string; language?: string; voice?: string; inGather: boolean }
  | { kind: 'play'; url: string; inGather: boolean }
  | { kind: 'pause'; seconds: number };

export interface SimStep {
  request: string;
  input: string | null;
  heard: HeardItem[];
}

export interface SimConsent {
  decision: 'granted' | 'declined';
  route: string;
  noticeId: string;
  noticeVersion: string;
}

export interface SimResult {
  call: {
    at: string;
    language: string;
    version: string;
    steps: SimStep[];
    presses: string[];
    end: { kind: string; queue?: string; target?: string; route?: string; message?: string };
    consents: SimConsent[];
  };
  endText: string | null;
  waiting: boolean;
  unused: number;
  /** Keys of a number being typed (no # yet), held while the call waits. */
  typing: number;
}

export type ClosedReason =
  | { kind: 'outside-hours' }
  | { kind: 'holiday'; name: string }
  | { kind: 'closure'; reason: string }
  | { kind: 'emergency'; reason: string; until: string };

export interface Closure {
  schedule: string;
  until: string;
  reason: string;
  since: string;
}

export interface HoursDay {
  date: string;
  weekday: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
  intervals: { from: string; to: string }[];
  closed?: ClosedReason;
  text: string;
}

export interface HoursInfo {
  from: string;
  days: number;
  schedules: { id: string; name?: string; timezone: string; emergency: Closure | null; days: HoursDay[] }[];
}

export interface ClosuresInfo {
  now: string;
  schedules: { id: string; name?: string; closure: Closure | null; open: boolean; nextOpening: string | null; closesAt: string | null }[];
}

export interface ConsentRow {
  callSid: string;
  at: string;
  caller: string;
  decision: 'granted' | 'declined';
  language: string;
  route: string;
  noticeId: string;
  noticeVersion: string;
  noticeSha256: string;
  flowVersion: string;
}

export interface ConsentSearch {
  rows: ConsentRow[];
  pageSize: number;
  /** Cursor of the next page (older rows), or null on the last page. */
  next: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server's message code, worded in Czech by messages.ts. */
    readonly code = 'error',
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string; code?: string; params?: Record<string, string | number> };
  if (!res.ok) throw new ApiError(res.status, data.error ?? `HTTP ${res.status}`, data.code ?? `http.${res.status}`, data.params ?? {});
  return data as T;
}

export interface ConfigState {
  version: string | null;
  loadedAt: string | null;
  refused: RefusedIssue[] | null;
}

export interface ScheduleState {
  id: string;
  name: string;
  open: boolean;
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
  | { kind: 'ref'; id: string; lang: string; menu: boolean };

export interface FlowOutline {
  version: string;
  at: string;
  start: OutlineNode;
}

export interface TodayInfo {
  now: string;
  config: ConfigState;
  schedules: ScheduleState[];
  closures: Closure[];
}
