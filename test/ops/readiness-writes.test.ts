// Issue 19 (weak point): with a full disk every consent write failed while /readyz still said
// writable. Readiness follows the last consent write's result.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildTestApp, failingConsentLog, type TestApp } from '../support/app.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'config');
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
});

describe('/readyz after a failed consent write', () => {
  it('is ready before, not ready after the write failed, naming the error; the caller still reached a queue', async () => {
    t = await buildTestApp({ configDir: FIXTURE, consentLog: failingConsentLog() });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const call = await t.call('1');
    expect(call.end.kind).toBe('queue');
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const body = ready.json() as { reasons: string[]; consentLog: { writable: boolean } };
    expect(body.consentLog.writable).toBe(false);
    expect(body.reasons.join(' ')).toMatch(/the last consent write failed at .*: disk full/);
  });
});
