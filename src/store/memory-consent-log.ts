// In-memory consent log: for the simulator (a simulated call must never reach the real log)
// and tests. It follows the same contract as the durable adapters: `at` normalised to
// toISOString form, malformed records rejected, byte-wise (at, callSid, decision) order,
// idempotent per (callSid, decision), appends after close() rejected. Instances built on
// the same MemoryConsentStorage see each other's rows, like two handles on one database.
import type { ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import { matchesQuery, normaliseQuery, normaliseRecord, orderAndLimit, recordKey } from './shared.js';

export class MemoryConsentStorage {
  readonly rows = new Map<string, ConsentRecord>();
}

export class MemoryConsentLog implements ConsentLog {
  readonly kind = 'memory';
  private readonly storage: MemoryConsentStorage;
  private closed = false;

  constructor(storage: MemoryConsentStorage = new MemoryConsentStorage()) {
    this.storage = storage;
  }

  async migrate(): Promise<void> {
    this.assertOpen();
  }

  async append(record: ConsentRecord): Promise<AppendResult> {
    this.assertOpen();
    const r = normaliseRecord(record);
    const key = recordKey(r);
    // The first record wins: a retried webhook (maybe with a later `at`) adds nothing.
    if (this.storage.rows.has(key)) return { inserted: false };
    this.storage.rows.set(key, r);
    return { inserted: true };
  }

  async list(query?: ConsentQuery): Promise<ConsentRecord[]> {
    this.assertOpen();
    const q = normaliseQuery(query);
    return orderAndLimit(
      [...this.storage.rows.values()].filter((r) => matchesQuery(r, q)),
      q,
    ).map((r) => ({ ...r }));
  }

  async check(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('consent log is closed');
  }
}
