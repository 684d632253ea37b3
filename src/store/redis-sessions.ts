// Session versions in Redis (a hash: user → version), next to the shared switches.
import { Redis } from 'ioredis';
import type { SessionStore } from './session-port.js';
import { errorMessage, silentLogger, type StoreLogger } from './shared.js';

export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';
  readonly hashKey: string;
  private readonly client: Redis;

  constructor(options: { url: string; prefix?: string | undefined; logger?: StoreLogger }) {
    this.hashKey = `${options.prefix ?? 'infoline:'}console:session-versions`;
    const logger = options.logger ?? silentLogger;
    // Fail fast while disconnected: a session that cannot be checked is not accepted.
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 2000,
      retryStrategy: (times: number) => Math.min(times * 200, 2000),
    });
    // One warning per outage (reconnects retry every 2 s), not one per attempt.
    let warned = false;
    this.client.on('error', (err: unknown) => {
      if (!warned) logger.warn({ err: errorMessage(err) }, 'redis (console sessions) unreachable; console sessions cannot be checked');
      warned = true;
    });
    this.client.on('ready', () => {
      warned = false;
    });
  }

  async migrate(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect();
  }

  async version(user: string): Promise<number> {
    return Number((await this.client.hget(this.hashKey, user)) ?? 0);
  }

  async endSessions(user: string): Promise<number> {
    return this.client.hincrby(this.hashKey, user, 1);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
