// `infoline fallback-twiml`: prints the document `/voice/fallback` answers, for hosting apart
// from the service (a TwiML Bin). It must work when nothing else does: the configuration is
// used when it loads (the config directory, else the embedded one), the built-in apology and
// general queue otherwise; no database is opened.
import { compileConfig, type CompiledConfig } from '../call/compiled.js';
import { buildBundle } from '../config/bundle.js';
import { packageRoot, readConfigFiles } from '../config/load.js';
import { configDir } from '../config/env.js';
import { fallbackDocument } from '../telephony/fallback.js';
import type { CliIo } from './io.js';

function tryLoad(dir: string): CompiledConfig | undefined {
  try {
    const built = buildBundle(readConfigFiles(dir));
    return built.ok ? compileConfig(built.bundle) : undefined;
  } catch {
    return undefined;
  }
}

export function runFallbackTwiml(io: CliIo): number {
  const dir = configDir(io.env);
  let config = tryLoad(dir);
  if (!config) {
    config = tryLoad(packageRoot());
    io.err(
      `infoline: no valid configuration in ${dir}; using ${config ? 'the embedded configuration' : 'the built-in apology and general queue'}\n`,
    );
  }
  io.out(`${fallbackDocument(config)}\n`);
  return 0;
}
