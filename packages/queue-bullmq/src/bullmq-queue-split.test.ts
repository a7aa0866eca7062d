import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { TaskJob } from '@caid/core';
import { bullmqQueue } from './bullmq-queue.js';
import { REDIS_URL, dropPrefix, testPrefix } from './redis-test-prefix.fixture.js';

// The distributed shape: the coordinator's queue instance only enqueues and listens; a worker's
// instance (another process or machine in production) only processes.
const prefixes: string[] = [];
afterAll(async () => { for (const p of prefixes) await dropPrefix(p); });
const pair = () => {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const url = `${REDIS_URL}?prefix=${prefix}`;
  return { prefix, coordinator: bullmqQueue({ url }), worker: bullmqQueue({ url }) };
};
const job = (id: string, extra: Partial<TaskJob> = {}): TaskJob => ({
  runId: 'run1', repo: '/r', worktreeRoot: '/w', attempt: 1, round: { kind: 'start' }, task: { id, prompt: 'p', dependsOn: [], files: [] }, ...extra,
});

describe('bullmqQueue across instances', () => {
  it('a cancelled job fails as cancelled and is never retried, wherever its worker runs', async () => {
    const { prefix, coordinator, worker } = pair();
    let runs = 0;
    worker.process(async (_j, ctx) => {
      runs++;
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      throw new Error('stopped');
    }, { concurrency: 1 });
    const failed = new Promise<string>((resolve) => coordinator.on('failed', ({ error }) => resolve(error)));
    const active = new Promise<void>((resolve) => coordinator.on('active', () => resolve()));
    await coordinator.enqueue(job('c'), { jobId: 'run1__c__1', priority: 1 });
    await active;
    await coordinator.close();
    expect(await failed).toBe('cancelled');
    const redis = new Redis(REDIS_URL);
    const stored = await redis.hgetall(`${prefix}:tasks:run1__c__1`);
    expect(stored.failedReason).toBe('cancelled');
    expect(await redis.lrange(`${prefix}:tasks:wait`, 0, -1)).toEqual([]);
    redis.disconnect();
    await worker.close();
    expect(runs).toBe(1);
  });

  it('a new coordinator instance re-attaches to a job that finished while nobody listened', async () => {
    const { prefix, coordinator, worker } = pair();
    const done = new Promise<void>((resolve) => coordinator.on('completed', () => resolve()));
    worker.process(async (j) => ({ taskId: j.task.id, attempt: 1, status: 'done', steps: 3, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } }), { concurrency: 1 });
    await coordinator.enqueue(job('r'), { jobId: 'run1__r__1', priority: 1 });
    await done;
    await coordinator.close();
    // the coordinator "restarts": enqueueing the same id again reports the stored outcome, runs nothing
    const again = bullmqQueue({ url: `${REDIS_URL}?prefix=${prefix}` });
    const result = new Promise<number>((resolve) => again.on('completed', ({ result: r }) => resolve(r.steps)));
    await again.enqueue(job('r'), { jobId: 'run1__r__1', priority: 1 });
    expect(await result).toBe(3);
    await again.close();
    await worker.close();
  });
});
