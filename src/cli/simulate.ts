// `infoline simulate`: plays one call through the real webhook routes (buildApp + inject),
// at a chosen instant, with a chosen sequence of keys. Consents go to a memory log only.
import { buildApp } from '../app.js';
import { configDir, storeSettings } from '../config/env.js';
import { formatIssue } from '../config/issues.js';
import { ConfigRegistry } from '../config/registry.js';
import { createMetrics } from '../http/metrics.js';
import { MemoryConsentLog } from '../store/memory-consent-log.js';
import { MemorySwitchStore } from '../store/memory-switch-store.js';
import { openStores, type Stores } from '../store/open-stores.js';
import type { SwitchStore } from '../store/ports.js';
import { silentLogger } from '../store/shared.js';
import { DEFAULT_LANGUAGE } from '../speech/keys.js';
import { incomingPath } from '../telephony/callback-urls.js';
import { playCall } from '../telephony/player.js';
import { validateDir } from './config.js';
import { CliError, cliLogger, errorText, UsageError, type CliIo } from './io.js';
import { parseInstant } from './time.js';
import { formatText, toJson, type SimulatedCall } from '../simulation/transcript.js';

export type { SimulatedCall };

export interface SimulateOptions {
  at?: string | undefined;
  press?: string | undefined;
  lang?: string | undefined;
  json?: boolean | undefined;
  from?: string | undefined;
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
  const language = opts.lang ?? DEFAULT_LANGUAGE;
  if (!config.speech.languages.includes(language)) {
    throw new UsageError(`--lang "${language}" has no prompts (known: ${config.speech.languages.join(', ')})`);
  }

  let stores: Stores | undefined;
  let switches: SwitchStore;
  try {
    // The same stores as every other command: with PostgreSQL, CONSENT_SPOOL_PATH names the spool.
    stores = await openStores({ ...storeSettings(io.env), logger: cliLogger(io) });
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
    const played = await playCall({
      start: incomingPath(language),
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

export async function runSimulate(io: CliIo, opts: SimulateOptions): Promise<number> {
  const call = await simulateCall(io, opts);
  if (opts.json) io.out(`${JSON.stringify(toJson(call), null, 2)}\n`);
  else io.out(formatText(call));
  const unused = parsePresses(opts.press).length - call.presses.join('').length;
  if (unused > 0) io.err(`infoline: note: the call ended before ${unused} of the keys were pressed\n`);
  return call.end.kind === 'error' ? 1 : 0;
}
