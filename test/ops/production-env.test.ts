// NODE_ENV=production needs an https:// PUBLIC_URL (the signature is then always checked
// against it, never against X-Forwarded-Host); only a loopback host may be http://.
import { describe, expect, it } from 'vitest';
import { EnvError, readEnv } from '../../src/main.js';

const prod = (publicUrl: string | undefined) => () =>
  readEnv({
    NODE_ENV: 'production',
    TWILIO_AUTH_TOKEN: 'secret',
    LOG_LEVEL: 'silent',
    ...(publicUrl === undefined ? {} : { PUBLIC_URL: publicUrl }),
  });

describe('production and PUBLIC_URL', () => {
  it.each([
    'https://ivr.ozp.example',
    'https://ivr.ozp.example:8443/',
    'http://127.0.0.1:3000',
    'http://localhost:3000',
    'http://[::1]:3000',
  ])('%s is accepted', (url) => {
    expect(prod(url)().publicUrl).toBe(url);
  });

  it.each(['http://ivr.ozp.example', 'http://10.0.0.5:3000', 'http://127.0.0.1.nip.io', 'http://localhost.example.org'])(
    '%s is refused, naming PUBLIC_URL',
    (url) => {
      expect(prod(url)).toThrow(EnvError);
      expect(prod(url)).toThrow(/^PUBLIC_URL .*https/);
    },
  );

  it('a missing PUBLIC_URL is refused, naming it', () => {
    expect(prod(undefined)).toThrow(EnvError);
    expect(prod(undefined)).toThrow(/^PUBLIC_URL is required when NODE_ENV=production/);
  });

  it('the missing token is still named first', () => {
    expect(() => readEnv({ NODE_ENV: 'production', PUBLIC_URL: 'http://ivr.ozp.example' })).toThrow(/TWILIO_AUTH_TOKEN/);
  });

  it('outside production http and no PUBLIC_URL stay allowed (laptops, tests)', () => {
    expect(readEnv({ PUBLIC_URL: 'http://ivr.ozp.example' }).publicUrl).toBe('http://ivr.ozp.example');
    expect(readEnv({}).publicUrl).toBeUndefined();
  });
});
