import { describe, expect, it } from 'vitest';
import { secretRedactor } from './redact-secrets.js';

describe('secretRedactor', () => {
  it('replaces the values of credential-like variables, longest first, and leaves the rest', () => {
    const redact = secretRedactor({
      OPENAI_API_KEY: 'sk-abcdefgh1234', GITHUB_TOKEN: 'ghp_abcdefgh1234_longer', DB_PASSWORD: 'hunter2-hunter2',
      PATH: '/usr/bin:/bin', SHORT_TOKEN: 'abc', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
    });
    expect(redact('key sk-abcdefgh1234 and ghp_abcdefgh1234_longer, pw hunter2-hunter2 twice hunter2-hunter2'))
      .toBe('key [redacted] and [redacted], pw [redacted] twice [redacted]');
    expect(redact('PATH=/usr/bin:/bin abc http://127.0.0.1:11434/v1')).toBe('PATH=/usr/bin:/bin abc http://127.0.0.1:11434/v1');
  });

  it('is the identity when no credential is set', () => {
    expect(secretRedactor({ HOME: '/root' })('anything sk-x')).toBe('anything sk-x');
  });
});
