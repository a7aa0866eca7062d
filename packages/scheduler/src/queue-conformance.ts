import { describe, expect, it } from 'vitest';
import type { TaskJob, TaskResult } from '@caid/core';
import type { TaskQueue } from './task-queue.js';

/**
 * The behaviour every TaskQueue must show, as a vitest suite: call it from a test file with a
 * factory that returns a fresh, empty queue (`@caid/scheduler/conformance`). One instance both
 * enqueues and processes, as the in-process default does.
 */
export function queueConformance(name: string, makeQueue: () => TaskQueue | Promise<TaskQueue>) {
  const job = (id: string): TaskJob => ({
    runId: 'r', repo: '/r', worktreeRoot: '/w', attempt: 1, round: { kind: 'start' },
    task: { id, prompt: 'p', dependsOn: [], files: [] },
  });
  const ok = (j: TaskJob): TaskResult => ({ taskId: j.task.id, attempt: j.attempt, status: 'done', steps: 1, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
  const collect = (q: TaskQueue, n: number) => new Promise<string[]>((resolve) => {
    const done: string[] = [];
    const add = (s: string) => { done.push(s); if (done.length === n) resolve(done); };
    q.on('completed', ({ result }) => add(result.taskId));
    q.on('failed', ({ job: j, error }) => add(`${j.task.id}:${error}`));
  });
  const until = async (cond: () => boolean) => { while (!cond()) await new Promise((r) => setTimeout(r, 5)); };

  describe(`TaskQueue conformance: ${name}`, () => {
    it('runs the highest priority first, never more than `concurrency` at once', async () => {
      const q = await makeQueue();
      let running = 0;
      let peak = 0;
      const started: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      for (const [id, p] of [['low', 1], ['high', 9], ['mid', 5], ['mid2', 5]] as const) await q.enqueue(job(id), { jobId: `r__${id}__1`, priority: p });
      const all = collect(q, 4);
      q.process(async (j) => {
        started.push(j.task.id);
        peak = Math.max(peak, ++running);
        await gate;
        running--;
        return ok(j);
      }, { concurrency: 2 });
      await until(() => started.length === 2);
      expect(started).toEqual(['high', 'mid']);
      release();
      expect((await all).sort()).toEqual(['high', 'low', 'mid', 'mid2']);
      expect(started).toEqual(['high', 'mid', 'mid2', 'low']);
      expect(peak).toBe(2);
      await q.close();
    });

    it('ignores a second enqueue of a known job id', async () => {
      const q = await makeQueue();
      let runs = 0;
      const all = collect(q, 2);
      q.process(async (j) => { runs++; return ok(j); }, { concurrency: 1 });
      await q.enqueue(job('a'), { jobId: 'r__a__1', priority: 1 });
      await q.enqueue(job('a'), { jobId: 'r__a__1', priority: 1 });
      // a different job enqueued afterwards finishing proves the duplicate was not merely late
      await q.enqueue(job('b'), { jobId: 'r__b__1', priority: 1 });
      expect((await all).sort()).toEqual(['a', 'b']);
      expect(runs).toBe(2);
      await q.close();
    });

    it('carries the job to the handler and reports progress and the result with it', async () => {
      const q = await makeQueue();
      const seen: string[] = [];
      q.on('active', ({ jobId, job: j }) => seen.push(`active ${jobId} ${j.task.id}`));
      q.on('progress', ({ job: j, progress }) => seen.push(`progress ${j.task.id} ${progress.step} ${progress.usage.inputTokens}`));
      const all = collect(q, 1);
      q.process(async (j, ctx) => {
        expect(j).toEqual({ ...job('p1'), verify: 'npm test' });
        ctx.progress({ step: 1, tool: 'run', usage: { inputTokens: 7, outputTokens: 1, costUsd: 0 } });
        await until(() => seen.length >= 2);
        return ok(j);
      }, { concurrency: 1 });
      await q.enqueue({ ...job('p1'), verify: 'npm test' }, { jobId: 'r__p1__1', priority: 1 });
      expect(await all).toEqual(['p1']);
      expect(seen).toEqual(['active r__p1__1 p1', 'progress p1 1 7']);
      await q.close();
    });

    it('turns a throwing handler into a failed event, and close() aborts the running job and drops the waiting one', async () => {
      const q = await makeQueue();
      const all = collect(q, 3);
      let slowStarted = false;
      let sawAbort = false;
      q.process(async (j, ctx) => {
        if (j.task.id === 'boom') throw new Error('kaput');
        slowStarted = true;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        sawAbort = true;
        return ok(j);
      }, { concurrency: 1 });
      await q.enqueue(job('boom'), { jobId: 'r__boom__1', priority: 3 });
      await q.enqueue(job('slow'), { jobId: 'r__slow__1', priority: 2 });
      await q.enqueue(job('never'), { jobId: 'r__never__1', priority: 1 });
      await until(() => slowStarted);
      await q.close();
      expect((await all).sort()).toEqual(['boom:kaput', 'never:cancelled', 'slow']);
      expect(sawAbort).toBe(true);
      await expect(q.enqueue(job('late'), { jobId: 'r__late__1', priority: 1 })).rejects.toThrow(/closed/);
    });
  });
}
