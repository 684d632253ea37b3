#!/usr/bin/env node
// `infoline` / `npm run cli -- <command>`: supervisor tools. Results on stdout, everything
// else on stderr; errors as `infoline: <message>` with exit code 1 (2 for usage errors).
import { processIo } from './io.js';
import { runCli } from './program.js';

// `infoline graph | head`: a closed pipe ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const io = processIo(process.env);
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    io.err(`infoline: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
