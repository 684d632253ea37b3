// The server and the CLI the scale tests start: what `npm start` and `npm run cli` run, built
// once by the tests' globalSetup (test/support/build-once.ts). A build of their own used to
// compile dist/server.js with tsc alone, replacing the bundle the other tests start.
import { join } from 'node:path';
import { ensureBuilt, ROOT, SERVER_JS } from '../../reliability/service-process.js';

export { ROOT, SERVER_JS };
export const CLI_JS = join(ROOT, 'dist', 'cli', 'main.js');

/** Builds dist/ unless it is newer than the sources (normally done already by the globalSetup). */
export async function buildServer(): Promise<{ built: boolean; ms: number }> {
  const { built, ms } = ensureBuilt();
  return { built, ms };
}
