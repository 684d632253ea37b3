// A scripted day of calls on the infoline (Monday 2026-11-30, Prague), played through the
// real webhooks, and the report a supervisor must get for it, worked out by hand below.
import { attrs, parseTwiml, playCall, verbName, type PlayedCall, type Poster } from '../../src/telephony/player.js';

export interface Line {
  /** Posts one call's webhook (a test may send each to another instance). */
  post(callIndex: number, step: number): Poster;
  /** Moves the clock, where the test can (in-process apps); undefined where it cannot. */
  setNow?: (iso: string) => void;
}

export interface ScriptedCall {
  name: string;
  /** When the call starts (UTC); its queue results come a little later. */
  at: string;
  /** Depends on the clock (a closed team): only played where the clock can be set. */
  clockBound?: boolean;
  play(call: CallHandle): Promise<void>;
}

export interface CallHandle {
  callSid: string;
  /** Presses keys through the menus; with maxSteps the caller hangs up after that many webhooks. */
  menu(presses: string, maxSteps?: number): Promise<PlayedCall>;
  /** Twilio's <Enqueue action> request at the end of the wait. */
  queueDone(played: PlayedCall, params: Record<string, string>, after?: number): Promise<string>;
  /** The agent side's <Queue url> request. */
  bridged(queueTime: number, after?: number): Promise<void>;
  /** The <Record> action after QueueResult=leave. */
  message(leaveTwiml: string, recordingSid: string | undefined, after?: number): Promise<void>;
  /** The status callback (lands on whichever instance the line picks). */
  status(callStatus: string, after?: number): Promise<void>;
}

const CALLER = { From: '+420603123456', To: '+420261105555', AccountSid: 'AC00000000000000000000000000000000', Direction: 'inbound' };

export function callHandle(line: Line, index: number, callSid: string, startAt: string, base: string): CallHandle {
  let step = 0;
  const post = (): Poster => line.post(index, step++);
  const at = (seconds = 0) => line.setNow?.(new Date(Date.parse(startAt) + seconds * 1000).toISOString());
  const send = async (url: string, params: Record<string, string>) => {
    const res = await post()(url, { CallSid: callSid, ...params });
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return res.body;
  };
  return {
    callSid,
    async menu(presses, maxSteps) {
      at(0);
      const played = await playCall({
        start: `${base}/voice/incoming`,
        params: { CallSid: callSid, CallStatus: 'in-progress', ...CALLER },
        presses: [...presses],
        post: (url, params) => post()(url, params),
        maxSteps,
      });
      return played;
    },
    async queueDone(played, params, after = 60) {
      if (played.end.kind !== 'queue' || played.end.action === undefined)
        throw new Error(`${callSid} did not reach a queue: ${JSON.stringify(played.end)}`);
      at(after);
      return send(played.end.action, params);
    },
    async bridged(queueTime, after = 60) {
      at(after);
      await send(`${base}/voice/queue/bridged`, {
        QueueSid: 'QU00000000000000000000000000000001',
        QueueTime: String(queueTime),
        DequeingCallSid: 'CA00000000000000000000000000000099',
      });
    },
    async message(leaveTwiml, recordingSid, after = 120) {
      const record = parseTwiml(leaveTwiml).verbs.find((v) => verbName(v) === 'Record');
      if (!record) throw new Error('no <Record> after leave');
      at(after);
      await send(
        attrs(record).action!,
        recordingSid ? { RecordingSid: recordingSid, RecordingDuration: '14' } : { RecordingDuration: '0' },
      );
    },
    async status(callStatus, after = 300) {
      at(after);
      await send(`${base}/voice/status`, { CallStatus: callStatus, CallDuration: String(after) });
    },
  };
}

// Monday 30 November 2026; Prague is UTC+1. The spa team is open 08:00–16:00 Prague.
export const DAY = { from: '2026-11-30', to: '2026-12-01' };

export const SCRIPT: ScriptedCall[] = [
  {
    name: 'before the spa opens: 5 (closed), back in the menu 1, answered after 15 s',
    at: '2026-11-30T06:30:00Z',
    clockBound: true,
    async play(c) {
      const played = await c.menu('51');
      await c.queueDone(played, { QueueResult: 'bridged', QueueTime: '15' });
      await c.status('completed');
    },
  },
  {
    name: '1, hung up in the queue after 100 s (the action retried once)',
    at: '2026-11-30T08:00:00Z',
    async play(c) {
      const played = await c.menu('1');
      await c.queueDone(played, { QueueResult: 'hangup', QueueTime: '100' }, 100);
      await c.queueDone(played, { QueueResult: 'hangup', QueueTime: '100' }, 101);
      await c.status('completed', 110);
    },
  },
  {
    name: '1, dequeued by an agent after 40 s',
    at: '2026-11-30T08:10:00Z',
    async play(c) {
      const played = await c.menu('1');
      await c.bridged(40, 40);
      await c.queueDone(played, { QueueResult: 'bridged', QueueTime: '40' }, 400);
      await c.status('completed', 401);
    },
  },
  {
    name: '0: declines recording, goodbye',
    at: '2026-11-30T08:20:00Z',
    async play(c) {
      await c.menu('0');
      await c.status('completed', 40);
    },
  },
  {
    name: 'silent once, then hangs up in the main menu',
    at: '2026-11-30T08:30:00Z',
    async play(c) {
      await c.menu('', 2);
      await c.status('completed', 30);
    },
  },
  {
    name: '9 (English), hangs up in the English menu',
    at: '2026-11-30T08:40:00Z',
    async play(c) {
      await c.menu('9', 2);
      await c.status('completed', 45);
    },
  },
  {
    name: '2, leaves the queue and records a message',
    at: '2026-11-30T09:00:00Z',
    async play(c) {
      const played = await c.menu('2');
      const leave = await c.queueDone(played, { QueueResult: 'leave', QueueTime: '200' }, 200);
      await c.message(leave, 'RE00000000000000000000000000000001', 230);
      await c.status('completed', 240);
    },
  },
  {
    name: '2, leaves the queue but records nothing',
    at: '2026-11-30T09:10:00Z',
    async play(c) {
      const played = await c.menu('2');
      const leave = await c.queueDone(played, { QueueResult: 'leave', QueueTime: '210' }, 210);
      await c.message(leave, undefined, 215);
      await c.status('completed', 220);
    },
  },
  {
    name: 'after the spa closes: 5 (closed), hangs up in the menu',
    at: '2026-11-30T16:00:00Z',
    clockBound: true,
    async play(c) {
      await c.menu('5', 2);
      await c.status('completed', 50);
    },
  },
  {
    name: '# (unknown key), then 1, answered after 25 s',
    at: '2026-11-30T09:30:00Z',
    async play(c) {
      const played = await c.menu('#1');
      await c.queueDone(played, { QueueResult: 'bridged', QueueTime: '25' }, 60);
      await c.status('completed', 300);
    },
  },
  {
    name: 'silent three times: the general queue, answered after 5 s',
    at: '2026-11-30T09:40:00Z',
    async play(c) {
      const played = await c.menu('');
      await c.queueDone(played, { QueueResult: 'bridged', QueueTime: '5' }, 40);
      await c.status('completed', 200);
    },
  },
  {
    name: 'five past midnight Prague (still the 29th in UTC): 3, hung up in the queue after 30 s',
    at: '2026-11-29T23:05:00Z',
    async play(c) {
      const played = await c.menu('3');
      await c.queueDone(played, { QueueResult: 'hangup', QueueTime: '30' }, 45);
      await c.status('completed', 50);
    },
  },
  {
    name: 'the evening before (23:30 Prague on the 29th): not in the day',
    at: '2026-11-29T22:30:00Z',
    async play(c) {
      const played = await c.menu('4');
      await c.queueDone(played, { QueueResult: 'bridged', QueueTime: '3' });
      await c.status('completed');
    },
  },
  {
    name: 'ten past midnight on the next day: not in the day',
    at: '2026-11-30T23:10:00Z',
    async play(c) {
      await c.menu('1', 2);
      await c.status('completed');
    },
  },
];

const noChoices = { '0': 0, '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, '6': 0, '7': 0, '8': 0, '9': 0 };

/** The report of DAY, by hand from the script above. */
export const EXPECTED_DAY = {
  calls: 12,
  choices: { ...noChoices, '0': 1, '1': 3, '2': 2, '3': 1, '5': 2, '9': 1 },
  declined: 1,
  closed: { spa: 2 },
  abandonedInMenu: 3,
  abandonedByNode: { english_menu: 1, main: 2 },
  queues: {
    // waits 5 → p50 5, p90 5; 1 of 1 within 20 s
    general: { entered: 1, answered: 1, abandoned: 0, messages: 0, callbacks: 0, waitP50: 5, waitP90: 5, serviceLevel: 1 },
    // waits 15, 25, 40 (nearest rank: p50 the 2nd, p90 the 3rd); 1 within 20 s of 3 answered + 1 abandoned
    insurance: { entered: 4, answered: 3, abandoned: 1, messages: 0, callbacks: 0, waitP50: 25, waitP90: 40, serviceLevel: 0.25 },
    payments: { entered: 1, answered: 0, abandoned: 1, messages: 0, callbacks: 0, waitP50: null, waitP90: null, serviceLevel: 0 },
    // leaving the queue is not hanging up in it; only the recorded message counts
    vitakarta: { entered: 2, answered: 0, abandoned: 0, messages: 1, callbacks: 0, waitP50: null, waitP90: null, serviceLevel: null },
  },
  serviceLevelSeconds: 20,
};

/**
 * The same script on the real clock (two processes), without the two clock-bound calls (the
 * spa's closed hours) and with the two calls outside the day, which then start "now" too:
 * 4 → benefits answered after 3 s, and 1 → insurance with no queue result (neither answered
 * nor abandoned in the queue; not abandoned in the menu either: it was routed).
 */
export const EXPECTED_CLOCK_FREE = {
  calls: 12,
  choices: { ...noChoices, '0': 1, '1': 4, '2': 2, '3': 1, '4': 1, '9': 1 },
  declined: 1,
  closed: {},
  abandonedInMenu: 2,
  abandonedByNode: { english_menu: 1, main: 1 },
  queues: {
    benefits: { entered: 1, answered: 1, abandoned: 0, messages: 0, callbacks: 0, waitP50: 3, waitP90: 3, serviceLevel: 1 },
    general: { entered: 1, answered: 1, abandoned: 0, messages: 0, callbacks: 0, waitP50: 5, waitP90: 5, serviceLevel: 1 },
    // waits 25, 40: p50 the 1st, p90 the 2nd; none within 20 s of 2 answered + 1 abandoned
    insurance: { entered: 4, answered: 2, abandoned: 1, messages: 0, callbacks: 0, waitP50: 25, waitP90: 40, serviceLevel: 0 },
    payments: { entered: 1, answered: 0, abandoned: 1, messages: 0, callbacks: 0, waitP50: null, waitP90: null, serviceLevel: 0 },
    vitakarta: { entered: 2, answered: 0, abandoned: 0, messages: 1, callbacks: 0, waitP50: null, waitP90: null, serviceLevel: null },
  },
  serviceLevelSeconds: 20,
};
