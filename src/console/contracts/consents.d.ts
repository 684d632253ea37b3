// The console's JSON API for the data-protection officer: consent search and notice texts.
// Type-only, shared by the server and web/src (see session.d.ts).

/** A consent decision as stored, the caller's number masked. */
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

/** GET /api/consents?format=json: one page, newest first. */
export interface ConsentSearch {
  filter: { callSid: string | null; from: string | null; to: string | null; decision: string | null };
  rows: ConsentRow[];
  pageSize: number;
  /** Cursor of the next page (older rows), or null on the last page. */
  next: string | null;
  /** More rows match than this page shows. */
  truncated: boolean;
}

/** GET /api/notices/:version (one), in GET /api/notices (all). */
export interface NoticeView {
  version: string;
  noticeId: string;
  language: string;
  sha256: string;
  text: string;
  firstUsed: string | null;
  lastUsed: string | null;
}

export interface NoticeList {
  notices: NoticeView[];
}
