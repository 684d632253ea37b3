// infoline_abandoned_calls_total{node}: the status callback at the end of a call counts it
// as abandoned by the last node it reached, unless it reached a person or left a message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallProgress } from '../../src/http/metrics.js';
import { attrs, parseTwiml, verbName } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ now: '2026-11-25T09:00:00Z' });
});
afterEach(async () => {
  await t.close();
});

async function abandoned(): Promise<Record<string, number>> {
  const metric = await t.metrics.abandoned.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.node), v.value]));
}

async function status(callSid: string, callStatus: string) {
  const res = await signedPost(t.app, '/voice/status', { CallSid: callSid, CallStatus: callStatus, CallDuration: '30' });
  expect(res.statusCode).toBe(200);
  expect(parseTwiml(res.body)).toEqual({ root: 'Response', verbs: [] });
}

async function queueDone(call: Awaited<ReturnType<TestApp['call']>>, params: Record<string, string>) {
  if (call.end.kind !== 'queue') throw new Error('not queued');
  const res = await signedPost(t.app, call.end.action!, { CallSid: call.callSid, ...params });
  expect(res.statusCode).toBe(200);
  return res;
}

describe('abandoned calls by the last node', () => {
  it('hung up at the menu → node main', async () => {
    const callSid = newCallSid();
    await signedPost(t.app, '/voice/incoming', { CallSid: callSid });
    await status(callSid, 'completed');
    expect(await abandoned()).toEqual({ main: 1 });
  });

  it('hung up while waiting in the queue → the route node', async () => {
    const call = await t.call('1');
    await queueDone(call, { QueueResult: 'hangup', QueueTime: '95' });
    await status(call.callSid, 'completed');
    expect(await abandoned()).toEqual({ insurance: 1 });
  });

  it.each([['failed'], ['busy'], ['no-answer'], ['canceled']])('CallStatus=%s also ends a call', async (s) => {
    const call = await t.call('2');
    await status(call.callSid, s);
    expect(await abandoned()).toEqual({ vitakarta: 1 });
  });

  it('statuses of a call still going count nothing', async () => {
    const call = await t.call('2');
    await status(call.callSid, 'in-progress');
    await status(call.callSid, 'ringing');
    expect(await abandoned()).toEqual({});
  });

  it('reached a person (the agent dequeued it) → not abandoned', async () => {
    const call = await t.call('1');
    await signedPost(t.app, '/voice/queue/bridged', { CallSid: call.callSid, QueueSid: 'QU1' });
    await queueDone(call, { QueueResult: 'bridged' });
    await status(call.callSid, 'completed');
    expect(await abandoned()).toEqual({});
  });

  it('QueueResult=bridged alone (no <Queue url> configured) → not abandoned', async () => {
    const call = await t.call('4');
    await queueDone(call, { QueueResult: 'bridged' });
    await status(call.callSid, 'completed');
    expect(await abandoned()).toEqual({});
  });

  it('left a message → not abandoned; left the queue without a recording → abandoned', async () => {
    const call = await t.call('1');
    const leave = await queueDone(call, { QueueResult: 'leave' });
    const record = parseTwiml(leave.body).verbs.find((v) => verbName(v) === 'Record')!;
    await signedPost(t.app, attrs(record).action!, { CallSid: call.callSid, RecordingSid: 'RE1', RecordingDuration: '14' });
    await status(call.callSid, 'completed');
    const other = await t.call('1');
    await queueDone(other, { QueueResult: 'leave' });
    await status(other.callSid, 'completed');
    expect(await abandoned()).toEqual({ insurance: 1 });
  });

  it('declined recording (the flow said goodbye and hung up) → not abandoned', async () => {
    const call = await t.call('0');
    await status(call.callSid, 'completed');
    expect(await abandoned()).toEqual({});
  });

  it('a call this instance never saw (another instance answered it) → node unknown', async () => {
    await status(newCallSid(), 'completed');
    expect(await abandoned()).toEqual({ unknown: 1 });
  });

  it('a repeated status callback counts the call once', async () => {
    const call = await t.call('1');
    await status(call.callSid, 'completed');
    await status(call.callSid, 'completed');
    expect(await abandoned()).toEqual({ insurance: 1 });
  });
});

describe('CallProgress (the bounded LRU)', () => {
  it('keeps at most `capacity` calls, dropping the least recently touched', () => {
    const p = new CallProgress(3);
    p.reached('a', 'main');
    p.reached('b', 'main');
    p.reached('c', 'main');
    p.reached('a', 'insurance'); // touched: now the newest
    p.reached('d', 'main');
    expect(p.size).toBe(3);
    expect(p.finish('b')).toBeUndefined();
    expect(p.finish('a')).toEqual({ node: 'insurance', outcome: undefined });
    expect(p.finish('a')).toEqual({ node: 'insurance', outcome: 'finished' }); // the tombstone
    expect(p.size).toBe(3);
  });

  it('a later turn keeps the outcome (connected stays connected)', () => {
    const p = new CallProgress();
    p.reached('a', 'insurance');
    p.ended('a', 'connected');
    p.reached('a', 'insurance');
    p.ended('a', 'message');
    expect(p.finish('a')).toEqual({ node: 'insurance', outcome: 'connected' });
  });
});
