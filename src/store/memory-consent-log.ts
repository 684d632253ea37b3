// In-memory consent log: for the simulator (a simulated call must never reach the real log).
import type { ConsentRecord } from '../consent/record.js';
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';

export class MemoryConsentLog implements ConsentLog {
  readonly kind = 'memory';
  private readonly rows = new Map<string, ConsentRecord>();

  async migrate(): Promise<void> {}

  async append(record: ConsentRecord): Promise<AppendResult> {
    const key = `${record.callSid}\0${record.decision}`;
    if (this.rows.has(key)) return { inserted: false };
    this.rows.set(key, { ...record });
    return { inserted: true };
  }

  async list(query: ConsentQuery = {}): Promise<ConsentRecord[]> {
    return [...this.rows.values()]
      .filter((r) => (query.since === undefined || r.at >= query.since) && (query.callSid === undefined || r.callSid === query.callSid) && (query.decision === undefined || r.decision === query.decision))
      .sort((a, b) => a.at.localeCompare(b.at) || a.callSid.localeCompare(b.callSid) || a.decision.localeCompare(b.decision));
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {}
}
