// Logs: one JSON object per line; every line of a voice request carries its callSid; caller
// numbers and key presses never in full. Captured from the real logger while playing calls.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loggerOptions } from '../../src/http/logging.js';
import { readEnv } from '../../src/main.js';
import { attrs, parseTwiml } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost } from '../support/twilio.js';

const CALLER = '+420603123456';

class Capture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
  lines(): Record<string, unknown>[] {
    const raw = this.text.split('\n').filter((l) => l !== '');
    return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

let t: TestApp;
const opened: TestApp[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const app of opened.splice(0)) await app.close();
});

async function withLogs(level = 'info') {
  const stream = new Capture();
  t = await buildTestApp({ now: '2026-11-25T09:00:00Z', logger: { ...loggerOptions(level), stream } });
  opened.push(t);
  return stream;
}

describe('voice request logs', () => {
  it('are JSON lines with a callSid on every line, and never the full number or the raw Digits', async () => {
    const logs = await withLogs('debug');
    const granted = await t.call('1', { from: CALLER });
    await t.call('0', { from: CALLER });
    await t.call('*#7', { from: CALLER });
    // Queue, status and message routes too.
    if (granted.end.kind !== 'queue') throw new Error('expected a queue');
    await signedPost(t.app, granted.end.waitUrl!, { CallSid: granted.callSid, From: CALLER, QueuePosition: '2', QueueTime: '700' });
    await signedPost(t.app, granted.end.action!, { CallSid: granted.callSid, From: CALLER, QueueResult: 'leave' });
    await signedPost(t.app, '/voice/queue/bridged', { CallSid: granted.callSid, From: CALLER });
    await signedPost(t.app, '/voice/status', {
      CallSid: granted.callSid,
      From: CALLER,
      Caller: CALLER,
      CallStatus: 'completed',
      Digits: '4711',
    });

    const lines = logs.lines(); // throws if any line is not JSON
    expect(lines.length).toBeGreaterThan(12); // one summary line per webhook, plus consent and queue lines;
    const text = logs.text;
    expect(text).not.toContain('420603123456');
    expect(text).not.toContain('603123456');
    expect(text).not.toContain('4711');
    for (const line of lines) {
      if (line.reqId === undefined) continue; // not a request's line
      expect(line.callSid, JSON.stringify(line)).toMatch(/^CA[0-9a-f]{32}$/);
      expect(line).toHaveProperty('time');
      expect(line).toHaveProperty('service', 'infoline');
    }
    const answered = lines.filter((l) => l.msg === 'voice request answered');
    expect(answered.length).toBeGreaterThanOrEqual(10);
    const consent = lines.filter((l) => l.msg === 'consent logged');
    expect(consent.map((l) => l.decision).sort()).toEqual(['declined', 'granted', 'granted']);
    expect(consent.every((l) => typeof l.callSid === 'string')).toBe(true);
    // Nothing that looks like a Digits field with its raw value, at any depth.
    for (const line of lines) expect(JSON.stringify(line)).not.toMatch(/"(Digits|digits)":"[0-9*#]+"/);
  });

  it('the signature-failure line carries the callSid (403)', async () => {
    const logs = await withLogs();
    const callSid = newCallSid();
    const res = await signedPost(t.app, '/voice/incoming', { CallSid: callSid, From: CALLER }, { signature: 'forged' });
    expect(res.statusCode).toBe(403);
    const refused = logs.lines().find((l) => l.msg === 'refused: Twilio signature check failed');
    expect(refused).toMatchObject({ callSid, level: 40 });
    expect(logs.text).not.toContain('420603123456');
  });

  it('the error-handler line carries the callSid, and the caller still gets TwiML', async () => {
    const logs = await withLogs();
    const first = await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid() });
    const action = attrs(parseTwiml(first.body).verbs[0]!).action!;
    vi.spyOn(t.registry, 'resolve').mockImplementation(() => {
      throw new Error('config exploded');
    });
    const callSid = newCallSid();
    const res = await signedPost(t.app, action, { CallSid: callSid, From: CALLER, Digits: '1' });
    expect(res.statusCode).toBe(200);
    expect(parseTwiml(res.body).verbs.length).toBeGreaterThan(0);
    const failed = logs.lines().find((l) => typeof l.msg === 'string' && l.msg.startsWith('voice route failed'));
    expect(failed).toMatchObject({ callSid, level: 50 });
    expect(logs.text).not.toContain('420603123456');
  });

  it('LOG_LEVEL is respected: at warn, no info lines', async () => {
    const logs = await withLogs('warn');
    await t.call('1', { from: CALLER });
    await signedPost(t.app, '/voice/incoming', { CallSid: newCallSid() }, { signature: 'forged' });
    const lines = logs.lines();
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatchObject({ level: 40 });
  });

  it('the LOG_LEVEL environment variable sets the level (read once, by readEnv)', () => {
    expect(loggerOptions(readEnv({ LOG_LEVEL: 'error' }).logLevel).level).toBe('error');
    expect(loggerOptions(readEnv({}).logLevel).level).toBe('info');
  });
});
