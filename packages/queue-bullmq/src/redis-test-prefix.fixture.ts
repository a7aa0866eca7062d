import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Tests use real Redis (REDIS_URL), each under its own key prefix so parallel runs never meet. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const testPrefix = () => `caidtest-${randomBytes(4).toString('hex')}`;

/** Deletes every key under `prefix`. */
export async function dropPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
