import { describe, expect, it } from 'vitest';
import { RedisSwitchStore } from '../../src/store/redis-switch-store.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { REDIS_URL, probeRedis, randomPrefix, requireService, waitFor } from './services.js';
import { closure, switchStoreContract } from './switch-store.contract.js';

const available = requireService(await probeRedis());

describe.runIf(available)('redis adapters', () => {
  switchStoreContract('redis', async () => {
    const prefix = randomPrefix();
    const open = async (): Promise<RedisSwitchStore> => {
      const s = new RedisSwitchStore({ url: REDIS_URL, prefix });
      await s.migrate();
      return s;
    };
    const store = await open();
    return {
      store,
      peer: open,
      cleanup: async () => {
        const janitor = await open();
        await janitor.deleteKeys();
        await Promise.all([janitor.close(), store.close()]);
      },
    };
  });

  describe('RedisSwitchStore', () => {
    it('keeps the last known closures while Redis is unreachable and catches up on reconnect', async () => {
      const prefix = randomPrefix();
      const redisPort = Number(new URL(REDIS_URL).port || 6379);
      const proxy = new TcpProxy(redisPort, new URL(REDIS_URL).hostname);
      const port = await proxy.start();
      const viaProxy = new RedisSwitchStore({ url: `redis://127.0.0.1:${port}`, prefix });
      const direct = new RedisSwitchStore({ url: REDIS_URL, prefix });
      try {
        await Promise.all([viaProxy.migrate(), direct.migrate()]);
        await direct.setClosure(closure('general'));
        await waitFor(async () => (await viaProxy.closures()).length === 1, 1000, 'closure via proxy');
        expect(viaProxy.health()).toEqual({ connected: true });

        await proxy.cut();
        await waitFor(() => !viaProxy.health().connected, 2000, 'disconnect noticed');
        // Reads still answer from memory; writes fail fast instead of queueing.
        expect(await viaProxy.closures()).toEqual([closure('general')]);
        await expect(viaProxy.setClosure(closure('claims'))).rejects.toThrow();

        // Changed while the proxied instance was away: no notice reaches it.
        await direct.setClosure(closure('claims'));
        await direct.clearClosure('general');

        let fired = 0;
        viaProxy.onChange(() => {
          fired += 1;
        });
        await proxy.restore();
        await waitFor(() => viaProxy.health().connected, 5000, 'reconnect');
        await waitFor(
          async () => JSON.stringify(await viaProxy.closures()) === JSON.stringify([closure('claims')]),
          2000,
          'refresh after reconnect',
        );
        expect(fired).toBeGreaterThan(0);
      } finally {
        await direct.deleteKeys();
        await Promise.all([viaProxy.close(), direct.close()]);
        await proxy.close();
      }
    });

    it('recovers by itself when Redis was down at start', async () => {
      const prefix = randomPrefix();
      const proxy = new TcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
      const port = await proxy.start();
      await proxy.cut();
      const late = new RedisSwitchStore({ url: `redis://127.0.0.1:${port}`, prefix });
      const direct = new RedisSwitchStore({ url: REDIS_URL, prefix });
      try {
        await direct.migrate();
        await direct.setClosure(closure('general'));
        await expect(late.migrate()).rejects.toThrow();
        expect(await late.closures()).toEqual([]);
        await proxy.restore();
        await waitFor(() => late.health().connected, 5000, 'late connect');
        await waitFor(async () => (await late.closures()).length === 1, 2000, 'initial load');
        // Subscribed too: later changes arrive as notices.
        await direct.setClosure(closure('claims'));
        await waitFor(async () => (await late.closures()).length === 2, 1000, 'notice after late start');
      } finally {
        await direct.deleteKeys();
        await Promise.all([late.close(), direct.close()]);
        await proxy.close();
      }
    });

    it('migrate() rejects when Redis is down, without crashing the process', async () => {
      const store = new RedisSwitchStore({ url: 'redis://127.0.0.1:1', prefix: randomPrefix() });
      await expect(store.migrate()).rejects.toThrow();
      expect(store.health()).toEqual({ connected: false });
      expect(await store.closures()).toEqual([]);
      await expect(store.setClosure(closure('general'))).rejects.toThrow();
      await store.close();
    });
  });
});
