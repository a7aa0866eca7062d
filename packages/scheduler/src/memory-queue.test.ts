import { describe, expect, it } from 'vitest';
import type { TaskJob, TaskResult } from '@caid/core';
import { memoryQueue } from './memory-queue.js';

const job = (id: string): TaskJob => ({
  runId: 'r', repo: '/r', worktreeRoot: '/w', attempt: 1, round: { kind: 'start' },
  task: { id, prompt: 'p', dependsOn: [], files: [] },
});
const ok = (j: TaskJob): TaskResult => ({ taskId: j.task.id, attempt: j.attempt, status: 'done', steps: 1, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
const collect = (q: ReturnType<typeof memoryQueue>, n: number) => new Promise<string[]>((resolve) => {
  const done: string[] = [];
  q.on('completed', ({ result }) => { done.push(result.taskId); if (done.length === n) resolve(done); });
  q.on('failed', ({ job: j, error }) => { done.push(`${j.task.id}:${error}`); if (done.length === n) resolve(done); });
});

describe('memoryQueue', () => {
  it('runs the highest priority first, never more than `concurrency` at once', async () => {
    const q = memoryQueue();
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    for (const [id, p] of [['low', 1], ['high', 9], ['mid', 5], ['mid2', 5]] as const) await q.enqueue(job(id), { jobId: id, priority: p });
    const all = collect(q, 4);
    q.process(async (j) => {
      started.push(j.task.id);
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return ok(j);
    }, { concurrency: 2 });
    await all;
    expect(started).toEqual(['high', 'mid', 'mid2', 'low']);
    expect(peak).toBe(2);
  });

  it('ignores a second enqueue of a known job id', async () => {
    const q = memoryQueue();
    let runs = 0;
    const all = collect(q, 1);
    q.process(async (j) => { runs++; return ok(j); }, { concurrency: 1 });
    await q.enqueue(job('a'), { jobId: 'r__a__1', priority: 1 });
    await q.enqueue(job('a'), { jobId: 'r__a__1', priority: 1 });
    await all;
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(1);
  });

  it('reports progress, turns a throwing handler into a failed event, and close() aborts and drops', async () => {
    const q = memoryQueue();
    const progress: number[] = [];
    q.on('progress', ({ progress: p }) => progress.push(p.step));
    const all = collect(q, 3);
    q.process(async (j, ctx) => {
      if (j.task.id === 'boom') throw new Error('kaput');
      ctx.progress({ step: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } });
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return ok(j);
    }, { concurrency: 1 });
    await q.enqueue(job('boom'), { jobId: 'boom', priority: 3 });
    await q.enqueue(job('slow'), { jobId: 'slow', priority: 2 });
    await q.enqueue(job('never'), { jobId: 'never', priority: 1 });
    await new Promise((r) => setTimeout(r, 20));
    await q.close();
    expect((await all).sort()).toEqual(['boom:kaput', 'never:cancelled', 'slow']);
    expect(progress).toEqual([1]);
    await expect(q.enqueue(job('late'), { jobId: 'late', priority: 1 })).rejects.toThrow(/closed/);
  });
});
