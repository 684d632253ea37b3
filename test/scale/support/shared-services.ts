// Isolated PostgreSQL and Redis state for the scale tests. The server reads no table or key
// prefix from its environment, so each test file gets its own database (created and dropped
// here) and its own Redis database index (claimed with SET NX, its keys deleted afterwards).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { PG_URL, REDIS_URL } from '../../store/services.js';

export interface ScaleDatabase {
  name: string;
  url: string;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createScaleDatabase(): Promise<ScaleDatabase> {
  const name = `infoline_scale_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return {
    name,
    url,
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await pool.query<T>(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      const janitor = new pg.Client({ connectionString: PG_URL });
      await janitor.connect();
      try {
        await janitor.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await janitor.end();
      }
    },
  };
}

/** The switch store's keys under the server's default prefix. */
export const SERVER_REDIS_KEYS = ['infoline:closures'];
const CLAIM_KEY = 'infoline-scale:claim';

export interface ScaleRedis {
  db: number;
  /** REDIS_URL with this database index (host and port replaced when given). */
  url(port?: number): string;
  release(): Promise<void>;
}

/** Claims a Redis database index 1–15 that nobody else is using (its claim key expires by itself). */
export async function claimRedisDatabase(): Promise<ScaleRedis> {
  const token = randomBytes(8).toString('hex');
  const order = Array.from({ length: 15 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
  const base = new URL(REDIS_URL);
  const urlFor = (db: number, port?: number): string => {
    const u = new URL(REDIS_URL);
    if (port !== undefined) {
      u.hostname = '127.0.0.1';
      u.port = String(port);
    }
    u.pathname = `/${db}`;
    return u.toString();
  };
  for (const db of order) {
    const client = new Redis(urlFor(db), { maxRetriesPerRequest: 1 });
    try {
      const claimed = await client.set(CLAIM_KEY, token, 'EX', 600, 'NX');
      if (claimed !== 'OK') continue;
      if ((await client.exists(...SERVER_REDIS_KEYS)) > 0) {
        // Somebody's data lives here: leave it alone.
        await client.del(CLAIM_KEY);
        continue;
      }
      return {
        db,
        url: (port) => urlFor(db, port),
        async release() {
          const janitor = new Redis(urlFor(db), { maxRetriesPerRequest: 1 });
          try {
            if ((await janitor.get(CLAIM_KEY)) === token) await janitor.del(CLAIM_KEY, ...SERVER_REDIS_KEYS);
          } finally {
            janitor.disconnect();
          }
        },
      };
    } finally {
      client.disconnect();
    }
  }
  throw new Error(`no free Redis database index on ${base.host} (all of 1–15 claimed or in use)`);
}
