import { describe, expect, it } from 'vitest';
import { isSecretVariable, redactText, secretRedactor, secretValues, urlWithoutCredentials } from './secrets.js';

describe('the one secret rule', () => {
  it('recognises secrets by name: DSN, webhook, token, key, password, auth, cloud credentials', () => {
    for (const name of ['SENTRY_DSN', 'SLACK_WEBHOOK_URL', 'GH_TOKEN', 'MY_API_KEY', 'DB_PASSWORD', 'BASIC_AUTH', 'AWS_REGION', 'SIGNING_KEY', 'STRIPE_SECRET']) {
      expect(isSecretVariable(name, 'x'), name).toBe(true);
    }
    for (const name of ['PATH', 'HOME', 'PWD', 'KEYBOARD_LAYOUT', 'AUTHOR', 'LANG']) expect(isSecretVariable(name, '/usr/bin'), name).toBe(false);
  });

  it('recognises secrets by value: URL credentials and known token shapes', () => {
    expect(isSecretVariable('DATABASE_URL', 'postgres://u:hunter2@db/x')).toBe(true);
    expect(isSecretVariable('X', 'ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe(true);
    expect(isSecretVariable('X', 'AKIAABCDEFGHIJKLMNOP')).toBe(true);
    expect(isSecretVariable('X', 'xoxb-1234567890-abcdef')).toBe(true);
    expect(isSecretVariable('URL', 'http://127.0.0.1:11434/v1')).toBe(false);
  });

  it('redacts values, URL passwords and token shapes in any text, and leaves the rest', () => {
    const env = { SENTRY_DSN: 'https://abcdef0123456789@o1.ingest.sentry.io/1', OPENAI_API_KEY: 'plainkey-12345678', PATH: '/usr/bin:/bin' };
    const redact = secretRedactor(env, ['http://alice:s3cret-pass@proxy:8080/v1']);
    const text = `dsn https://abcdef0123456789@o1.ingest.sentry.io/1 key plainkey-12345678 url http://alice:s3cret-pass@proxy:8080/v1 `
      + `pw alone s3cret-pass sk-abcdefghijklmnopqrstuv PATH=/usr/bin:/bin`;
    const out = redact(text);
    for (const s of ['abcdef0123456789', 'plainkey-12345678', 's3cret-pass', 'sk-abcdefghijklmnopqrstuv']) expect(out).not.toContain(s);
    expect(out).toContain('http://[redacted]@proxy:8080/v1');
    expect(out).toContain('PATH=/usr/bin:/bin');
  });

  it('lists URL passwords as secrets whatever the variable is called, and skips short values', () => {
    expect(secretValues({ REDIS_URL: 'redis://:longpassword@h:6379', SHORT_TOKEN: 'abc' })).toEqual(['longpassword']);
    expect(redactText('nothing here')).toBe('nothing here');
  });

  it('prints a URL without its credentials', () => {
    expect(urlWithoutCredentials('http://u:pw@host:1/v1')).toBe('http://host:1/v1');
    expect(urlWithoutCredentials('http://host/v1')).toBe('http://host/v1');
  });
});

describe('Authorization values', () => {
  it('redacts the credential of a Bearer or Basic header echoed in a message, keeping the scheme', () => {
    expect(redactText('upstream said: invalid header Authorization: Bearer abc.DEF-123_xyz')).toBe('upstream said: invalid header Authorization: Bearer [redacted]');
    expect(redactText('Basic dXNlcjpwYXNzd29yZA==')).toBe('Basic [redacted]');
    expect(redactText('a Bearer is someone who bears')).toBe('a Bearer is someone who bears');
  });
});
