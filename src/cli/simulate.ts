// `infoline simulate`: plays one call through the real webhook routes (buildApp + inject),
// at a chosen instant, with a chosen sequence of keys. Consents go to a memory log only.
import { buildApp } from '../app.js';
import type { ConsentRecord } from '../consent/record.js';
import { configDir } from '../config/load.js';
import { formatIssue } from '../config/issues.js';
import { ConfigRegistry } from '../config/registry.js';
import { createMetrics } from '../http/metrics.js';
import { MemoryConsentLog } from '../store/memory-consent-log.js';
import { MemorySwitchStore } from '../store/memory-switch-store.js';
import { openStores, type Stores } from '../store/open-stores.js';
import type { SwitchStore } from '../store/ports.js';
import { silentLogger } from '../store/shared.js';
import { routeOfUrl } from '../telephony/callback-urls.js';
import { playCall, type CallEnd, type PlayedCall, type PlayedItem } from '../telephony/player.js';
import { validateDir } from './config.js';
import { CliError, cliLogger, errorText, UsageError, type CliIo } from './io.js';
import { CLI_ZONE, localText, parseInstant } from './time.js';

export interface SimulateOptions {
  at?: string | undefined;
  press?: string | undefined;
  lang?: string | undefined;
  json?: boolean | undefined;
  from?: string | undefined;
}

export interface SimulatedCall extends PlayedCall {
  at: number;
  language: string;
  version: string;
  consents: ConsentRecord[];
}

/** "91" → ["9","1"]; spaces and commas are ignored; only 0–9, * and # are keys. */
export function parsePresses(value: string | undefined): string[] {
  const keys: string[] = [];
  for (const ch of value ?? '') {
    if (ch === ' ' || ch === ',') continue;
    if (!/^[0-9*#]$/.test(ch)) throw new UsageError(`--press "${value}": "${ch}" is not a phone key (use 0–9, * and #)`);
    keys.push(ch);
  }
  return keys;
}

const SIM_CALL_SID = 'CA5150000000000000000000000000000a';
const SIM_FROM = '+420600000000';

export async function simulateCall(io: CliIo, opts: SimulateOptions): Promise<SimulatedCall> {
  const at = opts.at !== undefined ? parseInstant(opts.at, '--at') : io.now();
  const presses = parsePresses(opts.press);
  const dir = configDir(io.env);
  const checked = validateDir(dir);
  if (!checked.ok) {
    for (const issue of checked.issues) io.err(`${formatIssue(issue)}\n`);
    throw new CliError(`the configuration in ${dir} has errors (run "infoline validate"); nothing simulated`);
  }
  const registry = new ConfigRegistry({ dir, logger: silentLogger });
  registry.start();
  const config = registry.current;
  if (!config) throw new CliError(`the configuration in ${dir} could not be loaded`);
  const language = opts.lang ?? 'cs';
  if (!config.speech.languages.includes(language)) {
    throw new UsageError(`--lang "${language}" has no prompts (known: ${config.speech.languages.join(', ')})`);
  }

  let stores: Stores | undefined;
  let switches: SwitchStore;
  try {
    stores = await openStores({ databaseUrl: io.env.DATABASE_URL?.trim() || undefined, redisUrl: io.env.REDIS_URL?.trim() || undefined, logger: cliLogger(io) });
    switches = stores.switches;
  } catch (err) {
    io.err(`infoline: warning: cannot open the switch store (${errorText(err)}); simulating without emergency closures\n`);
    switches = new MemorySwitchStore();
  }
  const consentLog = new MemoryConsentLog();
  const app = await buildApp({
    registry,
    consentLog,
    switches,
    now: () => at,
    logger: false,
    metrics: createMetrics({ defaultMetrics: false }),
  });
  try {
    await app.ready();
    const start = language === 'cs' ? '/voice/incoming' : `/voice/incoming?l=${encodeURIComponent(language)}`;
    const played = await playCall({
      start,
      params: { CallSid: SIM_CALL_SID, From: opts.from ?? SIM_FROM, To: '+420261105555', CallStatus: 'in-progress', Direction: 'inbound' },
      presses,
      post: async (url, params) => {
        const u = new URL(url, 'http://localhost');
        const res = await app.inject({
          method: 'POST',
          url: u.pathname + u.search,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(params).toString(),
        });
        return { status: res.statusCode, body: res.body };
      },
    });
    return { ...played, at, language, version: config.version, consents: await consentLog.list() };
  } finally {
    await app.close();
    registry.close();
    await stores?.close();
  }
}

/** The route (flow node) a connect's callback URL names. */
function routeOf(end: CallEnd): string | undefined {
  const url = end.kind === 'queue' ? (end.action ?? end.waitUrl) : undefined;
  return url === undefined ? undefined : routeOfUrl(url);
}

export function endLine(end: CallEnd, dialRoute?: string): string {
  switch (end.kind) {
    case 'queue': {
      const route = routeOf(end);
      const target = end.workflowSid !== undefined ? `TaskRouter workflow ${end.workflowSid}` : `queue ${end.queue}`;
      return `call ended: ${target}${route ? ` (route ${route})` : ''}`;
    }
    case 'dial':
      return `call ended: dial ${end.target}${dialRoute ? ` (route ${dialRoute})` : ''}${end.record ? ' (recorded)' : ''}`;
    case 'hangup':
      return 'call ended: goodbye (hang-up)';
    case 'error':
      return `call ended: error: ${end.message}`;
  }
}

function heardLine(item: PlayedItem): string {
  switch (item.kind) {
    case 'say':
      return `  caller hears: ${item.text}`;
    case 'play':
      return `  caller hears a recording: ${item.url}`;
    case 'pause':
      return `  (pause ${item.seconds} s)`;
  }
}

/**
 * Numbers the caller typed (insured number, date of birth: entries of several digits) and
 * their read-back, masked digit by digit: simulator output is shared and pasted around.
 */
export function maskTypedNumbers(call: SimulatedCall): SimulatedCall {
  const secrets = call.presses.map((p) => p.replace(/[^0-9]/g, '')).filter((d) => d.length > 1);
  if (secrets.length === 0) return call;
  const patterns = secrets.map((d) => new RegExp(d.split('').join('\\s*'), 'g'));
  const mask = (text: string) => patterns.reduce((t, re) => t.replace(re, (m) => m.replace(/\d/g, 'x')), text);
  return {
    ...call,
    presses: call.presses.map(mask),
    steps: call.steps.map((s) => ({
      ...s,
      input: s.input === undefined ? undefined : mask(s.input),
      twiml: mask(s.twiml),
      heard: s.heard.map((h) => (h.kind === 'say' ? { ...h, text: mask(h.text) } : h)),
    })),
  };
}

export function formatText(unmasked: SimulatedCall): string {
  const call = maskTypedNumbers(unmasked);
  const lines: string[] = [];
  const zoneTime = `${localText(call.at)} ${CLI_ZONE} (${new Date(call.at).toISOString()})`;
  lines.push(`simulated call at ${zoneTime}, language ${call.language}, config version ${call.version}`);
  call.steps.forEach((step, i) => {
    const path = step.request.split('?')[0] ?? step.request;
    const why = i === 0 ? 'call starts' : step.input === 'silence' ? 'no key pressed' : `key ${step.input ?? ''}`;
    lines.push(`step ${i + 1}: POST ${path} (${why})`);
    for (const item of step.heard) lines.push(heardLine(item));
    const next = call.steps[i + 1];
    if (next?.input === 'silence') lines.push('  caller presses nothing (timeout)');
    else if (next?.input !== undefined) lines.push(`  caller presses: ${next.input}`);
  });
  for (const c of call.consents) {
    lines.push(`consent (simulated, not stored): ${c.decision}, route ${c.route}, notice ${c.noticeId} version ${c.noticeVersion}`);
  }
  if (call.consents.length === 0) lines.push('consent: none written');
  const identity = /&quot;identity&quot;:&quot;([a-z-]+)&quot;|"identity":"([a-z-]+)"/.exec(call.steps.at(-1)?.twiml ?? '');
  if (identity) lines.push(`identification: ${identity[1] ?? identity[2] ?? ''} (the number goes to the agent only)`);
  lines.push(endLine(call.end, dialRouteOf(call)));
  return `${lines.join('\n')}\n`;
}

function dialRouteOf(call: SimulatedCall): string | undefined {
  // <Dial action> carries the route like <Enqueue action>; find it in the last TwiML.
  const last = call.steps.at(-1);
  const m = last ? /queue\/done\?[^"]*?route=([a-z0-9_]+)/.exec(last.twiml) : null;
  return m?.[1];
}

export function toJson(unmasked: SimulatedCall): object {
  const call = maskTypedNumbers(unmasked);
  const route = routeOf(call.end) ?? (call.end.kind === 'dial' ? dialRouteOf(call) : undefined);
  return {
    at: new Date(call.at).toISOString(),
    language: call.language,
    version: call.version,
    steps: call.steps.map((s) => ({ request: s.request, input: s.input ?? null, heard: s.heard })),
    presses: call.presses,
    end: route !== undefined ? { ...call.end, route } : call.end,
    consents: call.consents,
  };
}

export async function runSimulate(io: CliIo, opts: SimulateOptions): Promise<number> {
  const call = await simulateCall(io, opts);
  if (opts.json) io.out(`${JSON.stringify(toJson(call), null, 2)}\n`);
  else io.out(formatText(call));
  const unused = parsePresses(opts.press).length - call.presses.join('').length;
  if (unused > 0) io.err(`infoline: note: the call ended before ${unused} of the keys were pressed\n`);
  return call.end.kind === 'error' ? 1 : 0;
}
