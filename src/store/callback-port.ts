// Port for callback requests ("call me back instead of waiting"): one interface, one file per
// adapter (sqlite-callback-store.ts, postgres-callback-store.ts), one contract suite
// (test/store/callback.contract.ts). Every instant is an ISO string from the SERVICE clock:
// adapters never read the database server's now(), so a moved clock moves "due" too.

export const CALLBACK_STATUSES = ['pending', 'calling', 'done', 'failed', 'cancelled'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];
/** Open requests keep the full number; closed ones hold it masked. */
export const OPEN_CALLBACK_STATUSES: readonly CallbackStatus[] = ['pending', 'calling'];

export interface CallbackRequest {
  id: string;
  /** When the caller confirmed, ISO 8601 UTC. */
  requestedAt: string;
  /** Queue id of config/queues.yaml the caller waited in (and is connected to again). */
  queue: string;
  /** The flow's route node the caller came from (waitUrl context of the callback call). */
  route: string;
  lang: string;
  /** The number to call: full E.164 while open, masked once closed. */
  number: string;
  /** The number the caller had dialled: the callback's caller ID. */
  from: string;
  status: CallbackStatus;
  /** Calls placed so far. */
  attempts: number;
  /** Not placed before this instant. */
  nextAttemptAt: string;
  /** The CallSid of the call in which the caller asked (idempotency key). */
  originCallSid: string;
  /** The outbound call in progress (status calling), or the last one. */
  callSid?: string | undefined;
}

export interface NewCallback {
  originCallSid: string;
  queue: string;
  route: string;
  lang: string;
  number: string;
  from: string;
  at: string;
}

export interface CreateResult {
  request: CallbackRequest;
  /** false: the same call asked already, or this number already waits for this queue. */
  created: boolean;
}

/** One queue the dispatcher may place calls for right now (its schedule is open). */
export interface ClaimQueue {
  queue: string;
  /** Calls in progress at once for this queue, across every instance. */
  concurrent: number;
  maxAttempts: number;
}

export interface ClaimOptions {
  /** The service clock: requests with nextAttemptAt <= at are due. */
  at: string;
  queues: readonly ClaimQueue[];
  /** A call still "calling" since before this instant is given up (no status ever came). */
  staleBefore: string;
  /** Retry time for such a stale call. */
  retryAt: string;
}

/** How an attempt ended: the request is done, retried at `nextAttemptAt`, or failed for good. */
export type CallbackSettlement = { status: 'done' } | { status: 'pending'; nextAttemptAt: string } | { status: 'failed' };

export interface CallbackQuery {
  status?: CallbackStatus | undefined;
}

export interface CallbackStore {
  readonly kind: string;
  /** Creates the schema; safe when several processes call it at the same moment. */
  migrate(): Promise<void>;
  /** Keeps a number entered during the dialogue (never in a URL) for one call until confirmed. */
  saveDraft(callSid: string, number: string, at: string): Promise<void>;
  draft(callSid: string): Promise<string | undefined>;
  /** Durable when it resolves. Idempotent per origin call and per open (number, queue). */
  create(input: NewCallback): Promise<CreateResult>;
  /** The request a call asked for (origin CallSid), if any. */
  byOrigin(originCallSid: string): Promise<CallbackRequest | undefined>;
  get(id: string): Promise<CallbackRequest | undefined>;
  /**
   * Claims due pending requests, oldest first, at most `concurrent` calling per queue across
   * all instances; each claimed request is returned to exactly one caller of claim().
   * Claimed ones become `calling` with attempts + 1.
   */
  claim(options: ClaimOptions): Promise<CallbackRequest[]>;
  /** Notes the outbound CallSid of a claimed request. */
  placed(id: string, callSid: string): Promise<void>;
  /**
   * Ends the current attempt, only if the request is still `calling` (and, when given, on
   * `callSid`): a late or repeated status callback changes nothing. Returns whether it applied.
   */
  settle(id: string, settlement: CallbackSettlement, callSid?: string): Promise<boolean>;
  /** Cancels an open request; false when it is not open (or unknown). */
  cancel(id: string): Promise<boolean>;
  list(query?: CallbackQuery): Promise<CallbackRequest[]>;
  /** Open (pending or calling) requests per queue. */
  openByQueue(): Promise<Record<string, number>>;
  /** Deletes drafts older than `before` (they hold full numbers). */
  pruneDrafts(before: string): Promise<void>;
  close(): Promise<void>;
}
