// The server and the CLI the scale tests start: what `npm start` and `npm run cli` run, built
// once by the tests' globalSetup (test/support/build-once.ts; test files call ensureBuilt() too).
// A build of their own used to compile dist/server.js with tsc alone, replacing the bundle the
// other tests start.
import { join } from 'node:path';
import { ROOT, SERVER_JS } from '../../reliability/service-process.js';

export { SERVER_JS };
export const CLI_JS = join(ROOT, 'dist', 'cli', 'main.js');
