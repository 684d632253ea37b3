import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir, EnvError, parseEnv, storeSettings } from '../../src/config/env.js';
import { readEnv } from '../../src/main.js';

describe('the environment schema', () => {
  it('a wrong value is an EnvError naming the variable', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(EnvError);
    expect(() => readEnv({ PORT: 'eighty' })).toThrow('PORT must be a port number, got "eighty"');
    expect(() => readEnv({ TWILIO_ACCOUNT_SID: 'AC1' })).toThrow(/^TWILIO_ACCOUNT_SID must be/);
    expect(() => readEnv({ IDENTITY_WEBHOOK_URL: 'ftp://crm' })).toThrow(/^IDENTITY_WEBHOOK_URL must be/);
  });

  it('types and defaults: numbers, trimmed text, empty as unset', () => {
    const env = readEnv({
      PORT: '8080',
      HOST: ' 127.0.0.1 ',
      REDIS_URL: '',
      CALLBACK_TICK_MS: '250',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 't',
    });
    expect(env).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      redisUrl: undefined,
      callbackTickMs: 250,
      logLevel: 'info',
      journeyRetentionDays: 90,
    });
    expect(env.twilio).toEqual({ accountSid: `AC${'a'.repeat(32)}`, authToken: 't', apiUrl: undefined });
    expect(readEnv({ CALLBACK_TICK_MS: '5' }).callbackTickMs).toBe(3000);
    expect(readEnv({ MAX_CONNECTIONS_PER_IP: '256' }).maxConnectionsPerIp).toBe(256);
    expect(readEnv({}).maxConnectionsPerIp).toBeUndefined();
    expect(readEnv({}).configCacheDir).toBe(resolve('data/config-cache'));
    expect(readEnv({ CONFIG_CACHE_DIR: ' /var/cache/infoline ' }).configCacheDir).toBe('/var/cache/infoline');
    expect(readEnv({ CONFIG_CACHE_DIR: 'off' }).configCacheDir).toBeUndefined();
    expect(() => readEnv({ MAX_CONNECTIONS_PER_IP: 'many' })).toThrow(/^MAX_CONNECTIONS_PER_IP must be a whole number/);
  });

  it('a command reads only what it uses: a wrong PORT does not stop it', () => {
    expect(parseEnv({ PORT: 'x', INFOLINE_CONFIG_DIR: 'cfg' }, ['INFOLINE_CONFIG_DIR'])).toEqual({ INFOLINE_CONFIG_DIR: resolve('cfg') });
    expect(configDir({ PORT: 'x', INFOLINE_CONFIG_DIR: 'cfg' })).toBe(resolve('cfg'));
  });

  it('the stores every command opens (simulate too) include the consent spool', () => {
    expect(storeSettings({ DATABASE_URL: 'postgres://db/test', CONSENT_SPOOL_PATH: ' /var/spool/consents.db ' })).toEqual({
      databaseUrl: 'postgres://db/test',
      redisUrl: undefined,
      spoolPath: '/var/spool/consents.db',
    });
  });
});
