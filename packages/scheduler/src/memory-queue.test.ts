import { describe, expect, it } from 'vitest';
import { TaskJobSchema } from '@caid/core';
import { queueConformance } from './queue-conformance.js';
import { memoryQueue } from './memory-queue.js';

queueConformance('memoryQueue', () => memoryQueue());

describe('memoryQueue.reserve', () => {
  it('holds a freed slot until released, then starts the best waiting job', async () => {
    const q = memoryQueue();
    const started: string[] = [];
    let finishFirst!: () => void;
    q.process(async (job) => {
      started.push(job.task.id);
      if (job.task.id === 'first') await new Promise<void>((r) => { finishFirst = r; });
      return { taskId: job.task.id, attempt: 1, status: 'done', commit: 'c', steps: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
    }, { concurrency: 1 });
    let release: (() => void) | undefined;
    q.on('completed', ({ job }) => { if (job.task.id === 'first') release = q.reserve!(); });
    const job = (id: string) => TaskJobSchema.parse({ runId: 'r', repo: '/r', worktreeRoot: '/w', task: { id, prompt: id, dependsOn: [], files: [] }, attempt: 1, round: { kind: 'start' } });
    await q.enqueue(job('first'), { jobId: 'first', priority: 5 });
    await new Promise((r) => setTimeout(r, 10));
    await q.enqueue(job('side'), { jobId: 'side', priority: 1 });
    finishFirst();
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['first']);
    await q.enqueue(job('critical'), { jobId: 'critical', priority: 9 });
    release!();
    release!(); // a second call changes nothing
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['first', 'critical', 'side']);
  });
});
