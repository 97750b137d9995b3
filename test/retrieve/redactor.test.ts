import { describe, expect, it } from 'vitest';
import { redactor } from '../../src/retrieve/transport/retry.js';

describe('redactor', () => {
  it('removes a long key wherever it occurs, glued to other text included', () => {
    const key = 'sk-live-0123456789abcdef';
    const redact = redactor(key);
    expect(redact(`401: invalid key ${key}; header Bearer${key}x`)).toBe(
      '401: invalid key [redacted]; header Bearer[redacted]x',
    );
  });

  it('removes a short key where it stands as a token, without cutting ordinary words apart', () => {
    const redact = redactor('test');
    expect(redact('latest test failed: key "test" rejected (Bearer test)')).toBe(
      'latest [redacted] failed: key "[redacted]" rejected (Bearer [redacted])',
    );
    expect(redact('contested attestation')).toBe('contested attestation');
  });

  it('treats a short key with pattern characters literally', () => {
    const redact = redactor('a.b+c');
    expect(redact('key a.b+c and axb+c')).toBe('key [redacted] and axb+c');
  });

  it('leaves text alone without a key', () => {
    expect(redactor(undefined)('nothing to hide')).toBe('nothing to hide');
    expect(redactor('')('nothing to hide')).toBe('nothing to hide');
  });
});
