// Redis switch store: closures in a hash, change notices on a pub/sub channel. Reads are
// answered from an in-memory copy refreshed on every notice and on every (re)connect, so a
// Redis outage keeps the last known closures in force instead of failing calls.
import { Redis } from 'ioredis';
import type { EmergencyClosure, SwitchStore } from './ports.js';
import { errorMessage, normaliseClosure, silentLogger, type StoreLogger } from './shared.js';

export interface RedisSwitchStoreOptions {
  url: string;
  /** Key and channel prefix; tests use a random one. Default `infoline:`. */
  prefix?: string;
  logger?: StoreLogger;
}

export class RedisSwitchStore implements SwitchStore {
  readonly kind = 'redis';
  readonly hashKey: string;
  readonly channel: string;
  private readonly client: Redis;
  private readonly sub: Redis;
  private readonly logger: StoreLogger;
  private readonly listeners = new Set<() => void>();
  private memory = new Map<string, EmergencyClosure>();
  private snapshot = '';
  private warned = false;
  private closed = false;

  constructor(options: RedisSwitchStoreOptions) {
    const prefix = options.prefix ?? 'infoline:';
    this.hashKey = `${prefix}closures`;
    this.channel = `${prefix}changes`;
    this.logger = options.logger ?? silentLogger;
    const common = {
      lazyConnect: true,
      // Fail fast while disconnected: a supervisor's write must error, not queue silently.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Keep reconnecting forever, backing off to 2 s.
      retryStrategy: (times: number) => Math.min(times * 200, 2000),
    };
    this.client = new Redis(options.url, { ...common, commandTimeout: 2000 });
    // The subscriber blocks in SUBSCRIBE: no command timeout there.
    this.sub = new Redis(options.url, common);
    for (const conn of [this.client, this.sub]) {
      // Without an 'error' listener ioredis errors would crash the process.
      conn.on('error', (err: unknown) => this.warnOnce(err));
    }
    this.client.on('ready', () => {
      this.warned = false;
      this.refresh().catch((err: unknown) => this.warnOnce(err));
    });
    this.sub.on('ready', () => {
      // Subscribe again in case the first attempt happened while Redis was down; then
      // catch up with changes published while we were away.
      this.sub
        .subscribe(this.channel)
        .then(() => this.refresh())
        .catch((err: unknown) => this.warnOnce(err));
    });
    this.sub.on('message', (channel: string) => {
      if (channel !== this.channel) return;
      this.refresh(true).catch((err: unknown) => this.warnOnce(err));
    });
  }

  /** Connects and loads the closures; throws if Redis is unreachable (it keeps retrying). */
  async migrate(): Promise<void> {
    this.assertOpen();
    await Promise.all([connect(this.client), connect(this.sub)]);
    await this.sub.subscribe(this.channel);
    await this.refresh();
  }

  async closures(): Promise<EmergencyClosure[]> {
    return [...this.memory.values()]
      .map((c) => ({ ...c }))
      .sort((a, b) => (a.schedule < b.schedule ? -1 : a.schedule > b.schedule ? 1 : 0));
  }

  async setClosure(closure: EmergencyClosure): Promise<void> {
    this.assertOpen();
    const c = normaliseClosure(closure);
    await execOrThrow(this.client.multi().hset(this.hashKey, c.schedule, JSON.stringify(c)).publish(this.channel, c.schedule));
    this.memory.set(c.schedule, c);
  }

  async clearClosure(schedule: string): Promise<boolean> {
    this.assertOpen();
    const results = await execOrThrow(this.client.multi().hdel(this.hashKey, schedule).publish(this.channel, schedule));
    this.memory.delete(schedule);
    return results[0] === 1;
  }

  /** Fires after every change notice (from any instance, this one included). */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  health(): { connected: boolean } {
    return { connected: this.client.status === 'ready' && this.sub.status === 'ready' };
  }

  /** Test helper: deletes this prefix's keys. */
  async deleteKeys(): Promise<void> {
    await this.client.del(this.hashKey);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await Promise.all([disconnect(this.client), disconnect(this.sub)]);
  }

  /**
   * Replaces the memory copy with the hash. Replies on one connection come back in order,
   * so a refresh never overwrites the effect of a write this instance made after it.
   */
  private async refresh(notify = false): Promise<void> {
    if (this.closed) return;
    const raw = await this.client.hgetall(this.hashKey);
    const next = new Map<string, EmergencyClosure>();
    for (const [schedule, json] of Object.entries(raw)) {
      try {
        next.set(schedule, normaliseClosure(JSON.parse(json) as EmergencyClosure));
      } catch (err) {
        this.logger.warn({ err: errorMessage(err), schedule }, 'ignoring malformed closure in redis');
      }
    }
    this.memory = next;
    const snapshot = JSON.stringify([...next.entries()].sort());
    const changed = snapshot !== this.snapshot;
    this.snapshot = snapshot;
    if (notify || changed) {
      for (const listener of this.listeners) {
        try {
          listener();
        } catch (err) {
          this.logger.error({ err: errorMessage(err) }, 'switch change listener threw');
        }
      }
    }
  }

  private warnOnce(err: unknown): void {
    if (this.warned || this.closed) return;
    this.warned = true;
    this.logger.warn({ err: errorMessage(err), store: this.kind }, 'redis unavailable; keeping the last known closures');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('switch store is closed');
  }
}

async function connect(conn: Redis): Promise<void> {
  if (conn.status === 'wait' || conn.status === 'end') await conn.connect();
}

async function disconnect(conn: Redis): Promise<void> {
  if (conn.status === 'ready') {
    await conn.quit().catch(() => conn.disconnect());
  } else {
    conn.disconnect();
  }
}

type Multi = ReturnType<Redis['multi']>;

async function execOrThrow(multi: Multi): Promise<unknown[]> {
  const results = await multi.exec();
  if (results === null) throw new Error('redis transaction aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
