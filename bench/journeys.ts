// `npx tsx bench/journeys.ts` — what journey writes cost the menu step: the same infoline app
// with and without the batched journey writer, on a menu step that writes two events (Digits=9:
// a choice and the English menu), alternating rounds so both see the same machine.
//   throughput (req/s, 200 connections, saturated), server CPU µs per request (all threads) and
//   event-loop µs per request (the thread that answers callers), medians of the rounds.
// Method as bench/README.md (forked server, autocannon in this process, signed requests).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { encodeCallQuery } from '../src/telephony/callback-urls.js';
import { ROOT } from '../test/reliability/service-process.js';
import type { TargetMessage, TargetOptions } from './journeys-target.js';

const argv = process.argv.slice(2);
const DURATION = argv.includes('--duration') ? Number(argv[argv.indexOf('--duration') + 1]) || 4 : 4;
const ROUNDS = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) || 3 : 3;
const TOKEN = 'bench-auth-token-0123456789abcdef';
const PUBLIC_URL = 'https://ivr.bench.example';
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

interface Target {
  port: number;
  version: string;
  ask<T extends TargetMessage['type']>(cmd: string, type: T): Promise<Extract<TargetMessage, { type: T }>>;
  stop(): Promise<void>;
}

async function start(journeys: boolean): Promise<Target> {
  const opts: TargetOptions = { token: TOKEN, publicUrl: PUBLIC_URL, journeys };
  const child = fork(join(ROOT, 'bench/journeys-target.ts'), [JSON.stringify(opts)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Extract<TargetMessage, { type: 'ready' }>>((resolve) =>
    child.on('message', (m: TargetMessage) => m.type === 'ready' && resolve(m)),
  );
  return {
    port: ready.port,
    version: ready.version ?? '',
    ask: (cmd, type) =>
      new Promise((resolve) => {
        const on = (m: TargetMessage) => {
          if (m.type !== type) return;
          child.off('message', on);
          resolve(m as Extract<TargetMessage, { type: typeof type }>);
        };
        child.on('message', on);
        child.send({ cmd });
      }),
    stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.send({ cmd: 'stop' }))),
  };
}

function pool(path: string, size: number): { body: string; signature: string }[] {
  return Array.from({ length: size }, () => {
    const params = {
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      CallStatus: 'in-progress',
      From: '+420603123456',
      To: '+420261105555',
      Direction: 'inbound',
      Digits: '9',
    };
    return { body: new URLSearchParams(params).toString(), signature: getExpectedTwilioSignature(TOKEN, PUBLIC_URL + path, params) };
  });
}

async function measure(target: Target): Promise<{ reqPerSec: number; cpuUs: number; loopUs: number; requests: number; events: number }> {
  const path = `/voice/menu?${encodeCallQuery(target.version, { node: 'main', retries: 0, lang: 'cs', heard: ['main'] })}`;
  const signed = pool(path, 20_000);
  let i = 0;
  const setupRequest = (req: autocannon.Request): autocannon.Request => {
    const s = signed[i++ % signed.length]!;
    return { ...req, body: s.body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': s.signature } };
  };
  const requests: autocannon.Request[] = [{ method: 'POST', path, setupRequest }];
  const run = (duration: number) =>
    autocannon({ url: `http://127.0.0.1:${target.port}`, connections: 200, duration, requests }) as unknown as Promise<autocannon.Result>;
  await run(1);
  await target.ask('journeys', 'journeys');
  const c0 = await target.ask('cpu', 'cpu');
  const e0 = await target.ask('elu', 'elu');
  const r = await run(DURATION);
  const e1 = await target.ask('elu', 'elu');
  const c1 = await target.ask('cpu', 'cpu');
  const events = (await target.ask('journeys', 'journeys')).written;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    reqPerSec: r.requests.average,
    cpuUs: (c1.user + c1.system - c0.user - c0.system) / r.requests.total,
    loopUs: ((e1.activeMs - e0.activeMs) * 1000) / r.requests.total,
    requests: r.requests.total,
    events,
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const without = await start(false);
  const withJ = await start(true);
  const rows: { off: Awaited<ReturnType<typeof measure>>; on: Awaited<ReturnType<typeof measure>> }[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1}/${ROUNDS}`);
      // Alternate which goes first: neither always gets the fresher machine.
      if (round % 2 === 0) rows.push({ off: await measure(without), on: await measure(withJ) });
      else {
        const on = await measure(withJ);
        rows.push({ off: await measure(without), on });
      }
    }
  } finally {
    await Promise.all([without.stop(), withJ.stop()]);
  }
  const pick = (side: 'off' | 'on') => ({
    rps: median(rows.map((r) => r[side].reqPerSec)),
    cpu: median(rows.map((r) => r[side].cpuUs)),
    loop: median(rows.map((r) => r[side].loopUs)),
  });
  const off = pick('off');
  const on = pick('on');
  const eventsPerRequest = median(rows.map((r) => r.on.events / r.on.requests));
  const result = {
    step: 'POST /voice/menu Digits=9 (choice + English menu: 2 journey events)',
    durationSeconds: DURATION,
    rounds: ROUNDS,
    withoutJourneys: { reqPerSec: Math.round(off.rps), cpuUsPerRequest: round1(off.cpu), eventLoopUsPerRequest: round1(off.loop) },
    withJourneys: {
      reqPerSec: Math.round(on.rps),
      cpuUsPerRequest: round1(on.cpu),
      eventLoopUsPerRequest: round1(on.loop),
      eventsWrittenPerRequest: Math.round(eventsPerRequest * 100) / 100,
    },
    throughputRatio: Math.round((on.rps / off.rps) * 1000) / 1000,
    /** Process CPU (the writer thread included) per request, more than without journeys. */
    cpuCostPercent: round1(((on.cpu - off.cpu) / off.cpu) * 100),
    /** Main-thread (answering) time per request, more than without journeys: the caller's cost. */
    eventLoopCostPercent: round1(((on.loop - off.loop) / off.loop) * 100),
    load: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
