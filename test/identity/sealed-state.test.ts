// The sealed identification state: opaque, authenticated, bound to its call.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveStateKey, openState, sealState } from '../../src/identity/sealed-state.js';
import type { DialogueState } from '../../src/identity/dialogue.js';

const key = randomBytes(32);
const binding = { callSid: 'CA0123456789abcdef0123456789abcdef', version: 'abcdef123456', route: 'insurance', lang: 'cs' };
const state: DialogueState = { phase: 'confirm', tries: 1, dobTries: 0, number: '6808215469' };

describe('sealed state', () => {
  it('round-trips, holds no digit of the number in clear, and stays small', () => {
    const sealed = sealState(key, binding, state);
    expect(openState(key, binding, sealed)).toEqual(state);
    expect(sealed).not.toContain('6808215469');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('6808215469');
    expect(sealed.length).toBeLessThan(120);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
  });
  it('is refused for another call, route, version or language, another key, or one flipped bit', () => {
    const sealed = sealState(key, binding, state);
    for (const other of [{ callSid: 'CAffff' }, { route: 'payments' }, { version: '000000000000' }, { lang: 'en' }]) {
      expect(openState(key, { ...binding, ...other }, sealed)).toBeUndefined();
    }
    expect(openState(randomBytes(32), binding, sealed)).toBeUndefined();
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(openState(key, binding, raw.toString('base64url'))).toBeUndefined();
    expect(openState(key, binding, 'not-a-state')).toBeUndefined();
  });
  it('the key: IDENTITY_STATE_KEY (hex or base64, 32 bytes) wins; else derived from the auth token, the same everywhere', () => {
    const hex = randomBytes(32).toString('hex');
    expect(deriveStateKey(hex, 'token')?.toString('hex')).toBe(hex);
    expect(deriveStateKey(Buffer.from(hex, 'hex').toString('base64'), undefined)?.toString('hex')).toBe(hex);
    expect(() => deriveStateKey('too-short', undefined)).toThrow(/IDENTITY_STATE_KEY/);
    expect(deriveStateKey(undefined, 'token-a')).toEqual(deriveStateKey(undefined, 'token-a'));
    expect(deriveStateKey(undefined, 'token-a')).not.toEqual(deriveStateKey(undefined, 'token-b'));
    expect(deriveStateKey(undefined, undefined)).toBeUndefined();
  });
});
