// The console's JSON API for the dashboard and the callback list. Type-only, shared by the
// server and web/src (see session.d.ts).

export interface QueueFigures {
  entered: number;
  answered: number;
  abandoned: number;
  messages: number;
  callbacks: number;
  waitP50: number | null;
  waitP90: number | null;
  serviceLevel: number | null;
}

/** GET /api/report?from=&to=: the figures of `infoline report --format json`. */
export interface ReportInfo {
  calls: number;
  choices: Record<string, number>;
  declined: number;
  closed: Record<string, number>;
  abandonedInMenu: number;
  abandonedByNode: Record<string, number>;
  queues: Record<string, QueueFigures>;
  serviceLevelSeconds: number;
}

/** GET /api/report/hours?from=&to=: calls per Prague hour. */
export interface ReportHours {
  from: string;
  to: string;
  zone: string;
  hours: { hour: string; calls: number }[];
}

/** GET /api/live. */
export interface LiveInfo {
  at: string;
  inMenu: number;
  waiting: Record<string, number>;
  longestWait: { queue: string; seconds: number } | null;
}

/** An open callback request, the number masked. */
export interface CallbackView {
  id: string;
  requestedAt: string;
  queue: string;
  number: string;
  status: 'pending' | 'done' | 'failed' | 'cancelled';
  attempts: number;
  nextAttemptAt: string | null;
  /** Being called right now. */
  calling: boolean;
}

/** GET /api/callbacks: open requests, oldest first. */
export interface CallbacksInfo {
  total: number;
  rows: CallbackView[];
}

/** The answer of DELETE /api/callbacks/:id. */
export interface CallbackCancelled {
  cancelled: true;
}
