// Worker thread: reads and validates configuration away from the thread that answers calls, so
// a large or slow config file never delays a webhook. Replies with plain data only.
import { parentPort } from 'node:worker_threads';
import { buildBundle, snapshotHash } from './bundle.js';
import { readConfigSnapshot } from './load.js';
import type { WorkerReply, WorkerRequest } from './off-thread.js';

parentPort?.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (request.kind === 'dir') {
      const { files, issues } = readConfigSnapshot(request.dir);
      const hash = snapshotHash(files, issues);
      reply =
        hash === request.lastHash
          ? { id: request.id, kind: 'unchanged', hash }
          : { id: request.id, kind: 'built', hash, files: [...files], result: buildBundle(files, issues) };
    } else {
      reply = { id: request.id, kind: 'built', hash: '', files: request.files, result: buildBundle(new Map(request.files)) };
    }
  } catch (err) {
    reply = { id: request.id, kind: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
