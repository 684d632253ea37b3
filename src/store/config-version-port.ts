// Every applied config version, content-addressed, in the database the consent log uses: any
// instance, after any restart, can serve a call on the version it started on; and the exact
// text of every consent notice a consent row names stays readable for the data-protection officer.

/** One notice text as callers heard it; `version` is the first 12 hex digits of `sha256`. */
export interface NoticeText {
  version: string;
  /** The prompt key (e.g. consent.notice). */
  noticeId: string;
  language: string;
  sha256: string;
  text: string;
}

/** When consent rows first and last named a notice version (ISO instants). */
export interface NoticeUsage {
  firstUsed: string;
  lastUsed: string;
}

export interface ConfigVersionStore {
  readonly kind: string;
  /** Creates the tables; safe when several processes call it at once. */
  migrate(): Promise<void>;
  /** Stores a version's files and its notice texts; storing the same version again changes nothing. */
  put(version: string, files: ReadonlyMap<string, string>, notices: readonly NoticeText[]): Promise<void>;
  /** A stored version's files, or undefined. */
  get(version: string): Promise<Map<string, string> | undefined>;
  notice(version: string): Promise<NoticeText | undefined>;
  /** Every stored notice, oldest first. */
  notices(): Promise<NoticeText[]>;
  /** First and last consent row per notice version (from the consent log in the same database). */
  noticeUsage(): Promise<Map<string, NoticeUsage>>;
  close(): Promise<void>;
}

/** Files of a version as stored: one JSON object, path → text, keys sorted. */
export function filesToJson(files: ReadonlyMap<string, string>): string {
  return JSON.stringify(Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export function filesFromJson(json: string): Map<string, string> {
  const parsed = JSON.parse(json) as unknown;
  const out = new Map<string, string>();
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return out;
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out.set(k, v);
  return out;
}

export const NOTICE_VERSION = /^[0-9a-f]{12}$/;

/** The consent_notices row shape of both SQL adapters. */
export interface NoticeRow {
  version: string;
  notice_id: string;
  language: string;
  sha256: string;
  text: string;
}

export const noticeFromRow = (r: NoticeRow): NoticeText => ({
  version: r.version,
  noticeId: r.notice_id,
  language: r.language,
  sha256: r.sha256,
  text: r.text,
});
