import { describe, expect, it } from 'vitest';
import { initialState, reduce, RunEventSchema, type NewRunEvent, type RunEvent, type RunState } from '@caid/core';
import { memoryQueue } from './memory-queue.js';
import { schedule } from './schedule.js';
import type { ScheduleOptions } from './schedule-options.js';
import { oneByOne } from './one-by-one.js';

/** The real scheduler and queue; tasks named `bad*` fail, every other task merges. */
async function run(tasks: [string, string[]][], hooks: Pick<ScheduleOptions, 'replan' | 'beforeFinish'>) {
  const events: RunEvent[] = [];
  let state = initialState();
  const emit = async (e: NewRunEvent) => {
    const ev = RunEventSchema.parse({ ...e, at: new Date().toISOString() });
    events.push(ev);
    return (state = reduce(state, ev));
  };
  await emit({
    type: 'run.started', runId: 'r', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'c0', branch: 'b', worktreeRoot: '/w', workers: 2,
    tasks: tasks.map(([id, dependsOn]) => ({ id, prompt: id, dependsOn, files: [] })),
  });
  const queue = memoryQueue();
  queue.process(async (job) => ({
    taskId: job.task.id, attempt: job.attempt, status: job.task.id.startsWith('bad') ? 'failed' : 'done', reason: job.task.id.startsWith('bad') ? 'no-changes' : undefined,
    commit: `${job.task.id}-c`, steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 },
  }), { concurrency: 2 });
  let n = 0;
  const final: RunState = await schedule({
    state, emit, queue, limits: { conflictRounds: 1, verifyAttempts: 1 }, ...hooks,
    makeJob: (taskId, attempt, round) => ({ runId: 'r', repo: '/r', worktreeRoot: '/w', task: state.tasks[taskId]!, attempt, round }),
    integrate: oneByOne(async (r) => ({ kind: 'merged', commit: `m${++n}`, taskCommit: r.commit! })),
  });
  return { final, types: events.map((e) => ('taskId' in e ? `${e.type} ${e.taskId}` : e.type)) };
}

describe('schedule hooks', () => {
  it('replan: a revision replaces the failed task, its dependent runs on the new graph, and the run succeeds', async () => {
    const seen: string[] = [];
    const { final, types } = await run([['a', []], ['bad', ['a']], ['c', ['bad']]], {
      replan: async (failed, reason, s) => {
        seen.push(`${failed}: ${reason}: ${s.tasks[failed]!.status}`);
        return { type: 'plan.revised', failedTaskId: failed, reason, tasks: [{ id: 'good', prompt: 'p', dependsOn: ['a'], files: [] }, { id: 'c', prompt: 'c', dependsOn: ['good'], files: [] }], dropped: [] };
      },
    });
    expect(seen).toEqual(['bad: no-changes: failed']);
    expect(final.status).toBe('succeeded');
    expect(final.mergeOrder).toEqual(['a', 'good', 'c']);
    expect(types).not.toContain('task.skipped c');
    expect(types.indexOf('plan.revised')).toBe(types.indexOf('task.failed bad') + 1);
  });

  it('replan returning null: dependents are skipped as before and the run fails', async () => {
    const { final } = await run([['bad', []], ['c', ['bad']], ['d', []]], { replan: async () => null });
    expect(final.status).toBe('failed');
    expect(final.tasks.c!.status).toBe('skipped');
    expect(final.tasks.d!.status).toBe('merged');
  });

  it('beforeFinish: runs once after the last merge and its event lands just before run.finished', async () => {
    let calls = 0;
    const { final, types } = await run([['a', []], ['b', ['a']]], {
      beforeFinish: async (s) => {
        calls++;
        expect(s.mergeOrder).toEqual(['a', 'b']);
        return { type: 'run.step', kind: 'review', outcome: 'committed', commit: 'r1', usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
      },
    });
    expect(calls).toBe(1);
    expect(types.slice(-2)).toEqual(['run.step', 'run.finished']);
    expect(final.head).toBe('r1');
  });
});
