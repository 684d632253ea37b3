// Consent log: durable appends from N concurrent appenders, each awaiting its own append
// (SQLite group commit: each append resolves after its batch's commit is fsynced).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsentRecord } from '../src/consent/record.js';
import type { ConsentLog } from '../src/store/ports.js';
import { PostgresConsentLog } from '../src/store/postgres-consent-log.js';
import { SqliteConsentLog } from '../src/store/sqlite-consent-log.js';
import { progress } from './webhooks.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface AppendResult {
  store: string;
  concurrency: number;
  perSec: number;
  /** Appends per commit (SQLite group commit). */
  perCommit?: number | undefined;
}

let recordSeq = 0;
function record(): ConsentRecord {
  recordSeq += 1;
  return {
    callSid: `CA${recordSeq.toString(16).padStart(32, '0')}`,
    at: new Date().toISOString(),
    caller: '+420603***456',
    decision: 'granted',
    language: 'cs',
    route: 'insurance',
    noticeId: 'consent.notice',
    noticeVersion: 'abcdef012345',
    noticeSha256: 'a'.repeat(64),
    flowVersion: '0123456789ab',
  };
}

async function appendRate(log: ConsentLog, concurrency: number, ms: number): Promise<number> {
  let n = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await log.append(record());
        n += 1;
      }
    }),
  );
  return n / ((performance.now() - started) / 1000);
}

const LEVELS = [1, 16, 64, 256];

export async function consentBenchmarks(): Promise<{ results: AppendResult[]; postgresError?: string | undefined }> {
  const results: AppendResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'infoline-bench-log-'));
  const sqlite = new SqliteConsentLog({ path: join(dir, 'consents.db') });
  await sqlite.migrate();
  try {
    const s = sqlite.settings();
    progress(`SQLite consent log (journal_mode=${s.journalMode}, synchronous=${s.synchronous})`);
    for (const c of LEVELS) {
      const before = sqlite.stats();
      const perSec = await appendRate(sqlite, c, 1500);
      const after = sqlite.stats();
      results.push({
        store: 'sqlite',
        concurrency: c,
        perSec,
        perCommit: (after.appends - before.appends) / Math.max(1, after.commits - before.commits),
      });
    }
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const prefix = `bench_${randomBytes(4).toString('hex')}_`;
  const pg = new PostgresConsentLog({ connectionString: PG_URL, tablePrefix: prefix, connectTimeoutMs: 2000 });
  let postgresError: string | undefined;
  try {
    await pg.migrate();
    progress(`PostgreSQL consent log (${PG_URL}, tables ${prefix}*)`);
    for (const c of LEVELS) results.push({ store: 'postgres', concurrency: c, perSec: await appendRate(pg, c, 1500) });
  } catch (err) {
    postgresError = err instanceof Error ? err.message : String(err);
    progress(`PostgreSQL skipped: ${postgresError}`);
  } finally {
    await pg.dropTables().catch(() => undefined);
    await pg.close();
  }
  return { results, postgresError };
}
