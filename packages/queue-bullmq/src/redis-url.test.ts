import { describe, expect, it } from 'vitest';
import { InputError } from '@caid/core';
import { parseQueueUrl } from './redis-url.js';

describe('parseQueueUrl', () => {
  it('reads host, port, db, prefix and name, and hides the password in `display`', () => {
    const a = parseQueueUrl('redis://user:s3cret@redis.example:6380/2?prefix=team-a&name=jobs', {});
    expect(a).toMatchObject({ host: 'redis.example', port: 6380, db: 2, username: 'user', password: 's3cret', prefix: 'team-a', name: 'jobs', tls: false });
    expect(a.display).not.toContain('s3cret');
    expect(a.display).toContain('redis.example:6380/2');
  });

  it('defaults: port 6379, db 0, prefix caid (or CAID_QUEUE_PREFIX), name tasks; rediss means TLS', () => {
    expect(parseQueueUrl('redis://127.0.0.1', {})).toMatchObject({ port: 6379, db: 0, prefix: 'caid', name: 'tasks' });
    expect(parseQueueUrl('rediss://h', { CAID_QUEUE_PREFIX: 'ci-1' })).toMatchObject({ tls: true, prefix: 'ci-1' });
  });

  it('rejects what would otherwise hang or collide, as input errors', () => {
    for (const bad of ['localhost:6379', 'http://h:6379', 'redis://h/x', 'redis://h?prefix=a:b', 'redis://h?name=']) {
      expect(() => parseQueueUrl(bad, {}), bad).toThrow(InputError);
    }
  });
});
