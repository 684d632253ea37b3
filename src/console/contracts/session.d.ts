// The console's JSON API as the browser sees it: sign-in, errors, the audit view. Type-only
// (.d.ts: nothing is emitted, neither into dist/ nor dist/web/): the server types its answers
// with these, web/src reads them, so a change on either side fails the other's typecheck.

export type Role = 'viewer' | 'supervisor' | 'dpo';
export type Permission = 'read' | 'closures' | 'consents';

export interface User {
  name: string;
  role: Role;
  permissions: Permission[];
}

/** GET /api/session, POST /api/login, POST /api/logout. */
export interface SessionInfo {
  user: User | null;
  csrfToken: string;
}

/** POST /api/login. */
export interface LoginBody {
  name: string;
  password: string;
}

/**
 * Every refused request: `code` names a message in the page's catalogue (web/src/messages.ts),
 * `params` fill it in; `error` is the English text for scripts and logs.
 */
export interface ApiErrorBody {
  error: string;
  code?: string;
  params?: Record<string, string | number>;
}

export interface AuditEntry {
  /** ISO 8601 UTC */
  at: string;
  /** User name (for a failed sign-in: the name that was tried). */
  who: string;
  role: string | null;
  action: string;
  target: string | null;
  result: 'ok' | 'denied' | 'failed' | 'rate-limited';
  ip?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** GET /api/audit: newest first. */
export interface AuditInfo {
  entries: AuditEntry[];
}
