import { Redis } from 'ioredis';
import { InputError } from '@caid/core';
import { connectionOptions, parseQueueUrl } from './redis-url.js';

/** Fails fast with an actionable InputError when nothing answers at the queue URL. */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const a = parseQueueUrl(url);
  const redis = new Redis({ ...connectionOptions(a, { blocking: false }), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined); // expected: the failed connect() below reports the same error
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new InputError(`cannot reach Redis at ${a.display}: ${(e as Error).message} (start it, e.g. \`redis-server\` or \`docker run -d -p 6379:6379 redis\`, or check --queue / REDIS_URL)`);
  } finally {
    redis.disconnect();
  }
}
