// Where the time goes: a V8 CPU profile of the service (as `npm run bench` runs it) under a
// saturated load of one scenario, summarised by function and by package.
//
//   npx tsx bench/profile.ts [incoming|repeat|consent] [--seconds 6] [--top 30]
//
// The .cpuprofile is kept (path printed last): open it in Chrome DevTools for the call tree.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fire, startTarget } from './http.js';
import { gatherPath, PUBLIC_URL, postSigned, progress, signedPool, TOKEN, webhookParams, callSid } from './webhooks.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: 'string', default: '6' }, top: { type: 'string', default: '30' } },
});
const scenario = positionals[0] ?? 'incoming';
const dir = mkdtempSync(join(tmpdir(), 'infoline-profile-'));
const target = await startTarget({ kind: 'infoline', token: TOKEN, publicUrl: PUBLIC_URL, twiml: '' }, [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
]);
const first = await postSigned(target.port, '/voice/incoming', webhookParams(callSid()));
const menuPath = gatherPath(first);
const seconds = Number(values.seconds);
const load =
  scenario === 'incoming'
    ? { path: '/voice/incoming', pool: signedPool('/voice/incoming', 4000) }
    : scenario === 'repeat'
      ? { path: menuPath, pool: signedPool(menuPath, 4000, { Digits: '*' }) }
      : { path: menuPath, pool: signedPool(menuPath, (seconds + 2) * 8000, { Digits: '1' }) };
progress(`profiling ${scenario} for ${seconds} s (after a 2 s warm-up)`);
const counter = { i: 0 };
await fire(target, { ...load, sign: true, seconds: 2 }, counter);
// V8 stamps samples with the monotonic clock, as hrtime reads it here: keep only the measured run.
const cpu0 = await target.ask('cpu', 'cpu');
const from = Number(process.hrtime.bigint() / 1000n);
const result = await fire(target, { ...load, sign: true, seconds }, counter);
const to = Number(process.hrtime.bigint() / 1000n);
const cpu1 = await target.ask('cpu', 'cpu');
await target.stop();
const cpuUs = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / Math.max(1, result.requests.total);
progress(`${Math.round(result.requests.average)} req/s, ${cpuUs.toFixed(0)} µs server CPU per request (profiler on)`);

const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) ?? '');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
let stamp = profile.startTime;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  stamp += delta;
  if (stamp >= from && stamp <= to) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** node_modules/<pkg>, src/<folder>, node:<internal>, or the V8 pseudo-frame. */
function area(url: string, fn: string): string {
  if (url === '') return `(${fn || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const src = /\/(src|bench|dist)\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url.startsWith('node:') ? url : 'other';
}
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
}
const top = Number(values.top);
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`\n${scenario}: ${Math.round(result.requests.average)} req/s; self time by area`);
for (const [k, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
console.log(`\nself time by function`);
for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
console.log(`\nprofile: ${file}`);
