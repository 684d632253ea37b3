// The consent log commits on a worker thread. Closing it must settle even when nothing else keeps
// the process alive (the CLI, a benchmark): a worker left unreferenced while it shuts down used to
// let the process end first, with close() never settled. Run in a child process to see that.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./fixtures/writer-close-child.ts', import.meta.url));

describe('closing the SQLite consent log in a process with nothing else to do', { timeout: 60_000 }, () => {
  it('commits every append, then close() settles and the process exits normally', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', CHILD], { encoding: 'utf8', timeout: 50_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({ inserted: 20, stored: 20, closed: true });
  });
});
