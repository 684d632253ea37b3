// Issue 19 (weak point): slow clients holding connections. One address may hold at most
// `maxConnectionsPerIp` connections; beyond that a new one is closed at once, and webhooks
// from elsewhere (or after a slot frees) are answered.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ConfigRegistry } from '../../src/config/registry.js';
import { createMetrics } from '../../src/http/metrics.js';
import { MemoryConsentLog } from '../../src/store/memory-consent-log.js';
import { MemorySwitchStore } from '../../src/store/memory-switch-store.js';
import { join } from 'node:path';
import { quietLogger } from '../support/app.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'config');
const sockets: Socket[] = [];
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await close?.();
});

async function start(maxConnectionsPerIp: number): Promise<number> {
  const registry = new ConfigRegistry({ dir: FIXTURE, logger: quietLogger });
  registry.start();
  const app = await buildApp({
    registry,
    consentLog: new MemoryConsentLog(),
    switches: new MemorySwitchStore(),
    metrics: createMetrics({ defaultMetrics: false }),
    logger: false,
    maxConnectionsPerIp,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  close = async () => {
    registry.close();
    await app.close();
  };
  return (app.server.address() as { port: number }).port;
}

/** A client that sent only part of its request line: it holds the connection. */
function slowClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      resolve(s);
    });
    s.on('error', reject);
    sockets.push(s);
  });
}

/** Resolves true when the server closes the connection before answering anything. */
function closedWithoutAnswer(s: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('close', () => resolve(data === ''));
    s.on('error', () => undefined);
  });
}

async function healthz(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'close' } });
  return res.status;
}

describe('connections per address', () => {
  it('a fourth connection from one address is closed while three are held; a freed slot serves again', async () => {
    const port = await start(3);
    const held = [await slowClient(port), await slowClient(port), await slowClient(port)];
    const heldClosed = held.map(() => false);
    held.forEach((s, i) => s.once('close', () => (heldClosed[i] = true)));
    const extra = await slowClient(port);
    expect(await closedWithoutAnswer(extra)).toBe(true);
    // Refused at once, not by a timeout: the three older connections are all still open.
    expect(heldClosed).toEqual([false, false, false]);
    held[0]!.destroy();
    await new Promise<void>((resolve) => held[0]!.once('close', () => resolve()));
    // The server sees the close asynchronously: retry until the freed slot is counted.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) status = await healthz(port).catch(() => 0);
    expect(status).toBe(200);
  });
});
