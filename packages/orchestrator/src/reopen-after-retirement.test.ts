import { describe, expect, it } from 'vitest';
import { memoryQueue } from '@caid/scheduler';
import type { TaskJob } from '@caid/core';
import { reopenAfterRetirement } from './reopen-after-retirement.js';

const job = (id: string, round: TaskJob['round']): TaskJob => ({ runId: 'r1', repo: '/r', worktreeRoot: '/w', task: { id, prompt: id, dependsOn: [] }, attempt: 1, round } as unknown as TaskJob);

describe('reopenAfterRetirement', () => {
  it("holds a reopen round until that task's retirement settles; other rounds go straight in", async () => {
    const started: string[] = [];
    const inner = memoryQueue();
    inner.process(async (j) => {
      started.push(`${j.task.id}:${j.round.kind}`);
      return { taskId: j.task.id, status: 'failed', reason: 'error', message: 'test' } as never;
    }, { concurrency: 2 });
    let release!: () => void;
    const retired = new Promise<void>((r) => { release = r; });
    const waitedFor: string[] = [];
    const q = reopenAfterRetirement(inner, (id) => { waitedFor.push(id); return retired; });
    const reopen = q.enqueue(job('a', { kind: 'reopen', tests: ['t'], output: 'x' }), { jobId: 'r1__a__2', priority: 1 });
    await q.enqueue(job('b', { kind: 'start' }), { jobId: 'r1__b__1', priority: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual(['b:start']);
    expect(waitedFor).toEqual(['a']);
    release();
    await reopen;
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual(['b:start', 'a:reopen']);
    await q.close();
  });
});
