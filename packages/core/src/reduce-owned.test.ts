import { describe, expect, it } from 'vitest';
import type { RunEvent } from './events.js';
import { initialState, reduce, reduceOwned, type RunState } from './reduce.js';

const at = '2026-11-22T10:00:00.000Z';
const usage = { inputTokens: 3, outputTokens: 1, costUsd: 0 };
const events: RunEvent[] = [
  {
    type: 'run.started', at, runId: 'r1', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b0', branch: 'caid/r1/integration',
    worktreeRoot: '/w', workers: 2, tasks: [
      { id: 'a', prompt: 'pa', dependsOn: [], files: [] },
      { id: 'b', prompt: 'pb', dependsOn: ['a'], files: [] },
    ],
  },
  { type: 'task.queued', at, taskId: 'a', attempt: 1, round: { kind: 'start' } },
  { type: 'task.started', at, taskId: 'a', attempt: 1 },
  { type: 'task.step', at, taskId: 'a', attempt: 1, step: 1, tool: 'write_file', usage },
  { type: 'task.finished', at, taskId: 'a', attempt: 1, status: 'done', commit: 'ta', steps: 1, usage },
  { type: 'task.verify-failed', at, taskId: 'a', command: 'npm test', exitCode: 1, output: 'no' },
  { type: 'task.merged', at, taskId: 'a', commit: 'm1', taskCommit: 'ta' },
  { type: 'task.queued', at, taskId: 'b', attempt: 1, round: { kind: 'start' } },
  { type: 'task.failed', at, taskId: 'b', reason: 'error' },
  { type: 'run.finished', at, status: 'failed', commit: 'm1' },
];

const freezeDeep = (s: RunState) => {
  for (const t of Object.values(s.tasks)) Object.freeze(t);
  Object.freeze(s.tasks);
  return Object.freeze(s);
};

describe('reduceOwned', () => {
  it('folds every prefix of a log to the same state as reduce', () => {
    let pure = initialState();
    let owned = initialState();
    for (const e of events) {
      pure = reduce(pure, e);
      owned = reduceOwned(owned, e);
      expect(owned).toEqual(pure);
    }
    expect(owned.tasks.a?.status).toBe('merged');
    expect(owned.tasks.b?.status).toBe('failed');
  });

  it('reuses the tasks record but never mutates a task object; reduce mutates nothing', () => {
    const started = reduce(initialState(), events[0]!);
    const taskA = Object.freeze(started.tasks.a!);
    const next = reduceOwned(started, events[1]!);
    expect(next.tasks).toBe(started.tasks);
    expect(taskA.status).toBe('pending');
    expect(next.tasks.a?.status).toBe('queued');

    // In strict-mode ESM any write to a frozen object throws, so this proves reduce is pure.
    let s = freezeDeep(reduce(initialState(), events[0]!));
    for (const e of events.slice(1)) s = freezeDeep(reduce(s, e));
    expect(s.status).toBe('failed');
  });
});
