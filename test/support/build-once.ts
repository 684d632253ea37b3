// vitest globalSetup: builds dist/ (as `npm run build`) once, before any test file runs, when it is
// missing or older than src/. Test files that start the built server then find it ready; builds
// run from several files at once overwrote each other's dist/server.js (bundle and tsc output).
import { ensureBuilt } from '../reliability/service-process.js';

export default function setup(): void {
  const build = ensureBuilt();
  if (build.built) process.stderr.write(`built dist/ for the tests in ${(build.ms / 1000).toFixed(1)} s\n`);
}
