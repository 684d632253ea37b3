// The console's JSON API (src/console/plugin.ts): the types of its answers are the server's own
// contracts (src/console/contracts, type-only: nothing of them is emitted here), and one fetch
// helper that sends the CSRF token with every write.
import type { ApiErrorBody } from '../../src/console/contracts/session.js';

export type { AuditEntry, AuditInfo, LoginBody, Permission, Role, SessionInfo, User } from '../../src/console/contracts/session.js';
export type {
  ConfigState,
  FlowInfo,
  FlowOutline,
  HeardItem,
  KeypadInput,
  OutlineNode,
  OutlineText,
  RefusedIssue,
  ScheduleState,
  SimEnd,
  SimResult,
  SimStep,
  SimulateBody,
  TodayInfo,
} from '../../src/console/contracts/flow.js';
export type {
  CloseBody,
  ClosedReason,
  Closure,
  ClosureCleared,
  ClosureHistory,
  ClosurePreview,
  ClosureSet,
  ClosuresInfo,
  HoursDay,
  HoursInfo,
} from '../../src/console/contracts/hours.js';
export type { ConsentRow, ConsentSearch, NoticeList, NoticeView } from '../../src/console/contracts/consents.js';
export type {
  CallbackCancelled,
  CallbacksInfo,
  CallbackView,
  LiveInfo,
  QueueFigures,
  ReportHours,
  ReportInfo,
} from '../../src/console/contracts/report.js';

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
  const data: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const refused = data as Partial<ApiErrorBody>;
    throw new ApiError(res.status, refused.error ?? `HTTP ${res.status}`, refused.code ?? `http.${res.status}`, refused.params ?? {});
  }
  return data as T;
}
