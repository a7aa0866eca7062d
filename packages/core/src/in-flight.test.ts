import { describe, expect, it } from 'vitest';
import { followUpOutcome, inFlight } from './in-flight.js';
import { initialState, reduce } from './reduce.js';
import type { RunEvent } from './events.js';

const at = '2026-01-01T00:00:00.000Z';
const usage = { inputTokens: 1, outputTokens: 1, costUsd: 0 };
const task = (id: string, dependsOn: string[] = []) => ({ id, prompt: 'p', dependsOn, files: [] });

describe('inFlight', () => {
  it('folds a stopped log into the rounds to re-attach and the results to integrate again', () => {
    const events: RunEvent[] = [
      { type: 'run.started', at, runId: 'r', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b', branch: 'caid/r/integration', worktreeRoot: '/w', workers: 2, tasks: [task('done'), task('busy'), task('waiting'), task('merging'), task('later', ['done'])] },
      { type: 'task.queued', at, taskId: 'done', attempt: 1, round: { kind: 'start' } },
      { type: 'task.finished', at, taskId: 'done', attempt: 1, status: 'done', commit: 'c1', steps: 2, usage },
      { type: 'task.merged', at, taskId: 'done', commit: 'm1', taskCommit: 'c1' },
      { type: 'task.queued', at, taskId: 'busy', attempt: 1, round: { kind: 'start' } },
      { type: 'task.started', at, taskId: 'busy', attempt: 1 },
      { type: 'task.finished', at, taskId: 'busy', attempt: 1, status: 'done', commit: 'c2', steps: 2, usage },
      { type: 'task.verify-failed', at, taskId: 'busy', command: 'npm test', exitCode: 1, output: 'red' },
      { type: 'task.queued', at, taskId: 'busy', attempt: 2, round: { kind: 'verify-failed', command: 'npm test', output: 'red' } },
      { type: 'task.started', at, taskId: 'busy', attempt: 2 },
      { type: 'task.queued', at, taskId: 'waiting', attempt: 1, round: { kind: 'start' } },
      { type: 'task.queued', at, taskId: 'merging', attempt: 1, round: { kind: 'start' } },
      { type: 'task.finished', at, taskId: 'merging', attempt: 1, status: 'done', commit: 'c4', steps: 3, usage },
    ];
    const state = events.reduce(reduce, initialState());
    const f = inFlight(events, state);
    expect(f.queued).toEqual([
      { taskId: 'busy', attempt: 2, round: { kind: 'verify-failed', command: 'npm test', output: 'red' } },
      { taskId: 'waiting', attempt: 1, round: { kind: 'start' } },
    ]);
    expect(f.integrating).toEqual([{ taskId: 'merging', attempt: 1, status: 'done', commit: 'c4', steps: 3, usage }]);
  });

  it('a reopen logged whose round was never queued is decided again; one whose round was queued is re-attached', () => {
    const events: RunEvent[] = [
      { type: 'run.started', at, runId: 'r', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b', branch: 'caid/r/integration', worktreeRoot: '/w', workers: 2, tasks: [task('a'), task('b'), task('c')] },
      { type: 'task.queued', at, taskId: 'a', attempt: 1, round: { kind: 'start' } },
      { type: 'task.finished', at, taskId: 'a', attempt: 1, status: 'done', commit: 'c1', steps: 2, usage },
      { type: 'task.merged', at, taskId: 'a', commit: 'm1', taskCommit: 'c1' },
      { type: 'task.queued', at, taskId: 'c', attempt: 1, round: { kind: 'start' } },
      { type: 'task.finished', at, taskId: 'c', attempt: 1, status: 'done', commit: 'c3', steps: 2, usage },
      { type: 'task.merged', at, taskId: 'c', commit: 'm2', taskCommit: 'c3' },
      { type: 'task.queued', at, taskId: 'b', attempt: 1, round: { kind: 'start' } },
      { type: 'task.finished', at, taskId: 'b', attempt: 1, status: 'done', commit: 'c2', steps: 2, usage },
      { type: 'task.merged', at, taskId: 'b', commit: 'm3', taskCommit: 'c2' },
      { type: 'task.reopened', at, taskId: 'a', tests: ['t::x'], output: 'red', by: 'b' },
      { type: 'task.reopened', at, taskId: 'c', tests: ['t::y'], output: 'red too', by: 'b' },
      { type: 'task.queued', at, taskId: 'c', attempt: 2, round: { kind: 'reopen', tests: ['t::y'], output: 'red too' } },
    ];
    const state = events.reduce(reduce, initialState());
    expect(state.mergeOrder).toEqual(['b']);
    const f = inFlight(events, state);
    expect(f.followUps).toEqual([{ taskId: 'a', round: { kind: 'reopen', tests: ['t::x'], output: 'red' } }]);
    expect(f.queued).toEqual([{ taskId: 'c', attempt: 2, round: { kind: 'reopen', tests: ['t::y'], output: 'red too' } }]);
    expect(f.integrating).toEqual([]);
    expect(followUpOutcome('a', f.followUps[0]!.round)).toEqual({ kind: 'reopened', taskId: 'a', tests: ['t::x'], output: 'red' });
  });
});
