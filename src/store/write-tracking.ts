// Readiness follows the consent log's last real write: a full disk can fail every append while
// the readiness probe's tiny write still succeeds. After a failed append the log reports
// itself not writable until an append succeeds again, or `holdMs` have passed (then the probe
// alone decides, so an instance taken out of rotation can come back).
import type { AppendResult, ConsentLog, ConsentQuery } from './ports.js';
import type { ConsentRecord } from '../consent/record.js';

export class WriteTrackingConsentLog implements ConsentLog {
  private lastFailure: { at: number; message: string } | undefined;

  constructor(
    private readonly inner: ConsentLog,
    private readonly clock: () => number = Date.now,
    private readonly holdMs = 60_000,
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  migrate(): Promise<void> {
    return this.inner.migrate();
  }

  async append(record: ConsentRecord): Promise<AppendResult> {
    try {
      const result = await this.inner.append(record);
      this.lastFailure = undefined;
      return result;
    } catch (err) {
      this.lastFailure = { at: this.clock(), message: err instanceof Error ? err.message : String(err) };
      throw err;
    }
  }

  list(query?: ConsentQuery): Promise<ConsentRecord[]> {
    return this.inner.list(query);
  }

  async check(): Promise<void> {
    await this.inner.check();
    const failure = this.lastFailure;
    if (failure && this.clock() - failure.at < this.holdMs) {
      throw new Error(`the last consent write failed at ${new Date(failure.at).toISOString()}: ${failure.message}`);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
