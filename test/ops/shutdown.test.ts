// The built server as a child process: SIGTERM lets an in-flight request finish (its consent
// written), then exits 0 within 10 s; production without TWILIO_AUTH_TOKEN refuses to start.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/load.js';
import { attrs, parseTwiml } from '../../src/telephony/player.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';
import { ensureBuilt } from '../reliability/service-process.js';

const root = packageRoot();
const TOKEN = 'shutdown-test-token';
const PUBLIC_URL = 'https://ivr.example.test';
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'infoline-shutdown-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const clean = { ...process.env };
  delete clean.INFOLINE_CONFIG_DIR;
  delete clean.TWILIO_AUTH_TOKEN;
  delete clean.NODE_ENV;
  return spawn(process.execPath, [join(root, 'dist', 'server.js')], {
    cwd: dir,
    env: { ...clean, INFOLINE_CONFIG_DIR: FROZEN_CONFIG, ...env },
  });
}

/** Resolves with the first stdout JSON line that matches. */
function waitForLog(
  child: ChildProcessWithoutNullStreams,
  match: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const raw = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        try {
          const line = JSON.parse(raw) as Record<string, unknown>;
          if (match(line)) {
            child.stdout.off('data', onData);
            resolve(line);
            return;
          }
        } catch {
          reject(new Error(`not a JSON log line: ${raw}`));
        }
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before the expected log line`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - t0 })));
}

/** Reads one HTTP response (with Content-Length) from the socket. */
function readResponse(socket: net.Socket): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = text.slice(0, end);
      const status = Number(head.split(' ')[1]);
      if (status === 100) {
        data = Buffer.from(text.slice(end + 4), 'utf8');
        socket.off('data', onData);
        resolve({ status, headers: head, body: '' });
        return;
      }
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? '0');
      const body = data.subarray(Buffer.byteLength(head) + 4);
      if (body.length >= length) {
        socket.off('data', onData);
        resolve({ status, headers: head, body: body.subarray(0, length).toString('utf8') });
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function request(path: string, form: Record<string, string>): { head: string; body: string } {
  const body = new URLSearchParams(form).toString();
  const signature = getExpectedTwilioSignature(TOKEN, PUBLIC_URL + path, form);
  const head =
    `POST ${path} HTTP/1.1\r\nHost: ivr.example.test\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `X-Twilio-Signature: ${signature}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  return { head, body };
}

describe('the built server', () => {
  it('SIGTERM: stops accepting, finishes the in-flight request (consent written), exits 0 within 10 s', async () => {
    const db = join(dir, 'consents.db');
    const child = start({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db, TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_URL, LOG_LEVEL: 'info' });
    const stderr: string[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
    const listening = await waitForLog(child, (l) => typeof l.msg === 'string' && /listening at http:\/\/127\.0\.0\.1:\d+/.test(l.msg));
    const port = Number(/:(\d+)$/.exec(String(listening.msg))![1]);

    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const callSid = 'CA' + 'f'.repeat(32);
    // A complete first request on this connection: the menu's Gather action with its state.
    const first = request('/voice/incoming', { CallSid: callSid, From: '+420603123456' });
    socket.write(first.head + '\r\n' + first.body);
    const menu = await readResponse(socket);
    expect(menu.status).toBe(200);
    const action = new URL(attrs(parseTwiml(menu.body).verbs[0]!).action!);
    const path = action.pathname + action.search;

    // The second request: headers with Expect: 100-continue, so the server's "100 Continue"
    // proves it has taken the request in, and only half the body.
    const second = request(path, { CallSid: callSid, From: '+420603123456', Digits: '1' });
    socket.write(second.head + 'Expect: 100-continue\r\n\r\n');
    const cont = await readResponse(socket);
    expect(cont.status).toBe(100);
    const half = Math.floor(second.body.length / 2);
    socket.write(second.body.slice(0, half));

    const exit = exited(child);
    const t0 = Date.now();
    const closing = waitForLog(child, (l) => l.msg === 'shutting down: finishing in-flight requests');
    child.kill('SIGTERM');
    await closing;
    // Stops accepting: soon after the signal, a new connection is refused.
    const refusedWithin = async (ms: number): Promise<string> => {
      const until = Date.now() + ms;
      for (;;) {
        const outcome = await new Promise<string>((resolve) => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve('connected');
          });
          s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        });
        if (outcome !== 'connected' || Date.now() > until) return outcome;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // Refused outright, or reset when the connection raced the listener's close: either way not accepted.
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(await refusedWithin(2_000));

    // Finish the in-flight request: it is answered with the queue, its consent on disk.
    const answer = readResponse(socket);
    socket.write(second.body.slice(half));
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.headers).toMatch(/content-type: text\/xml/i);
    expect(parseTwiml(res.body).verbs.map((v) => Object.keys(v)[0])).toContain('Enqueue');
    // The client keeps its keep-alive connection open, as Twilio may: the server must close it.
    const serverClosed = new Promise<void>((r) => socket.once('close', () => r()));

    const { code } = await exit;
    await serverClosed;
    expect(code, stderr.join('')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const rows = new Database(db, { readonly: true }).prepare('SELECT decision FROM consents WHERE call_sid = ?').all(callSid);
    expect(rows).toEqual([{ decision: 'granted' }]);
  }, 30_000);

  it('NODE_ENV=production without TWILIO_AUTH_TOKEN exits non-zero and names the variable', async () => {
    const child = start({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: join(dir, 'prod.db') });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const { code } = await exited(child);
    expect(code).not.toBe(0);
    expect(stderr).toContain('TWILIO_AUTH_TOKEN');
  }, 20_000);
});
