// Loading the configuration for a command: the same files, rules and compilation as the server.
import { existsSync, statSync } from 'node:fs';
import { compileConfig, type CompiledConfig } from '../call/compiled.js';
import { buildBundle, type BundleResult } from '../config/bundle.js';
import { formatIssue } from '../config/issues.js';
import { readConfigSnapshot } from '../config/load.js';
import { configDir, storeSettings } from '../config/env.js';
import { openStores, type Stores } from '../store/open-stores.js';
import { CliError, cliLogger, errorText, type CliIo } from './io.js';

/** Reads and validates the config directory; throws only for a directory that is not there. */
export function validateDir(dir: string): BundleResult {
  if (!existsSync(dir)) throw new CliError(`config directory ${dir} does not exist (set INFOLINE_CONFIG_DIR or run in the repository)`);
  if (!statSync(dir).isDirectory()) throw new CliError(`config directory ${dir} is not a directory`);
  const { files, issues } = readConfigSnapshot(dir);
  return buildBundle(files, issues);
}

/** The compiled current configuration, or a CliError listing every problem. */
export function loadCompiled(io: CliIo): CompiledConfig {
  const dir = configDir(io.env);
  const built = validateDir(dir);
  if (!built.ok) {
    for (const issue of built.issues) io.err(`${formatIssue(issue)}\n`);
    throw new CliError(
      `the configuration in ${dir} has ${built.issues.length} error${built.issues.length === 1 ? '' : 's'} (run "infoline validate")`,
    );
  }
  return compileConfig(built.bundle);
}

/** Opens the stores DATABASE_URL / REDIS_URL name, runs `fn`, and always closes them. */
export async function withStores<T>(io: CliIo, fn: (stores: Stores) => Promise<T>): Promise<T> {
  let stores: Stores;
  try {
    stores = await openStores({
      ...storeSettings(io.env),
      logger: cliLogger(io),
    });
  } catch (err) {
    throw new CliError(`cannot open the database (DATABASE_URL): ${errorText(err)}`);
  }
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}
