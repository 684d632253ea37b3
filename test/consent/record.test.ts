import { describe, expect, it } from 'vitest';
import { maskCaller, sha256Hex } from '../../src/consent/record.js';

describe('maskCaller', () => {
  it.each([
    ['+420603123456', '+420603***456'],
    ['+441632960961', '+441632***961'],
    ['+12025550123', '+120255***123'],
    ['603123456', '60***56'],
    ['anonymous', 'ano***'],
    ['sip:alice@example.org', 'sip***'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('%s → %s', (raw, masked) => {
    expect(maskCaller(raw)).toBe(masked);
  });

  it('never keeps the middle digits of a number', () => {
    const masked = maskCaller('+420603987654');
    expect(masked).not.toContain('987');
  });
});

describe('sha256Hex', () => {
  it('is the 64-hex digest of the UTF-8 text', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('Informace o zpracování')).toMatch(/^[0-9a-f]{64}$/);
  });
});
