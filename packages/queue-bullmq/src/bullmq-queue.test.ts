import { afterAll } from 'vitest';
import { queueConformance } from '@caid/scheduler/conformance';
import { bullmqQueue } from './bullmq-queue.js';
import { REDIS_URL, dropPrefix, testPrefix } from './redis-test-prefix.fixture.js';

const prefixes: string[] = [];
afterAll(async () => { for (const p of prefixes) await dropPrefix(p); });

queueConformance('bullmqQueue', () => {
  const prefix = testPrefix();
  prefixes.push(prefix);
  return bullmqQueue({ url: `${REDIS_URL}?prefix=${prefix}` });
});
