import { describe, expect, it } from 'vitest';
import { MemoryConsentLog, MemoryConsentStorage } from '../../src/store/memory-consent-log.js';
import { consentLogContract, consentRecord } from './consent-log.contract.js';

consentLogContract('memory', async () => {
  const storage = new MemoryConsentStorage();
  const log = new MemoryConsentLog(storage);
  await log.migrate();
  return {
    log,
    reopen: async () => {
      const other = new MemoryConsentLog(storage);
      await other.migrate();
      return other;
    },
    cleanup: async () => {
      await log.close();
      storage.rows.clear();
    },
  };
});

describe('MemoryConsentLog', () => {
  it('separate storages are separate logs (a simulated call never reaches another log)', async () => {
    const a = new MemoryConsentLog();
    const b = new MemoryConsentLog();
    await a.append(consentRecord(1));
    expect(await b.list()).toEqual([]);
    expect(await a.list()).toEqual([consentRecord(1)]);
  });

  it('a listed record is a copy: mutating it does not change the log', async () => {
    const log = new MemoryConsentLog();
    await log.append(consentRecord(2));
    const [row] = await log.list();
    if (row === undefined) throw new Error('no row');
    row.route = 'tampered';
    expect((await log.list())[0]?.route).toBe(consentRecord(2).route);
  });
});
