import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@caid/core';
import { displayStatus, foldPage, initialPage, statusCounts, statusWord } from './fold-page.js';

const u = (i: number, o: number) => ({ inputTokens: i, outputTokens: o, costUsd: 0.001 * i });
const t = (s: number) => `2026-11-22T10:00:${String(s).padStart(2, '0')}.000Z`;
const events: RunEvent[] = [
  {
    type: 'run.started', at: t(0), runId: 'r1', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b0', branch: 'caid/r1/integration',
    worktreeRoot: '/w', workers: 2, verify: 'npm test', tasks: [
      { id: 'a', prompt: 'pa', dependsOn: [], files: [] },
      { id: 'b', prompt: 'pb', dependsOn: ['a'], files: [] },
      { id: 'c', prompt: 'pc', dependsOn: [], files: [] },
    ],
  },
  { type: 'task.queued', at: t(1), taskId: 'a', attempt: 1, round: { kind: 'start' } },
  { type: 'task.queued', at: t(1), taskId: 'c', attempt: 1, round: { kind: 'start' } },
  { type: 'task.started', at: t(2), taskId: 'a', attempt: 1 },
  { type: 'task.step', at: t(3), taskId: 'a', attempt: 1, step: 1, tool: 'write_file', usage: u(10, 2) },
  { type: 'task.finished', at: t(4), taskId: 'a', attempt: 1, status: 'done', commit: 'ta1', steps: 2, usage: u(20, 4) },
  { type: 'task.conflict', at: t(5), taskId: 'a', paths: ['x.ts', 'y.ts'] },
  { type: 'task.queued', at: t(5), taskId: 'a', attempt: 2, round: { kind: 'conflict' } },
  { type: 'task.started', at: t(6), taskId: 'a', attempt: 2 },
  { type: 'task.finished', at: t(7), taskId: 'a', attempt: 2, status: 'done', commit: 'ta2', steps: 1, usage: u(5, 1) },
  { type: 'task.verify-failed', at: t(8), taskId: 'a', command: 'npm test', exitCode: 1, output: 'FAIL <script>x</script>' },
  { type: 'task.queued', at: t(8), taskId: 'a', attempt: 3, round: { kind: 'verify-failed', command: 'npm test', output: 'FAIL' } },
  { type: 'task.started', at: t(9), taskId: 'a', attempt: 3 },
  { type: 'task.finished', at: t(10), taskId: 'a', attempt: 3, status: 'done', commit: 'ta3', steps: 1, usage: u(5, 1) },
  { type: 'task.merged', at: t(11), taskId: 'a', commit: 'm1', taskCommit: 'ta3' },
  { type: 'task.started', at: t(12), taskId: 'c', attempt: 1 },
];

const fold = (es: RunEvent[]) => es.reduce(foldPage, initialPage());

describe('foldPage', () => {
  it('keeps each round of a task with its kind, times and outcome', () => {
    const s = fold(events);
    expect(s.history.a!.rounds).toEqual([
      { attempt: 1, kind: 'start', queuedAt: t(1), startedAt: t(2), finishedAt: t(4), outcome: 'done', steps: 2 },
      { attempt: 2, kind: 'conflict', queuedAt: t(5), startedAt: t(6), finishedAt: t(7), outcome: 'done', steps: 1 },
      { attempt: 3, kind: 'verify-failed', queuedAt: t(8), startedAt: t(9), finishedAt: t(10), outcome: 'done', steps: 1 },
    ]);
  });

  it('records every integration of a task: conflict paths, verify output, the merge', () => {
    const h = fold(events).history.a!;
    expect(h.conflicts).toEqual([{ at: t(5), paths: ['x.ts', 'y.ts'] }]);
    expect(h.verifyFailures).toEqual([{ at: t(8), command: 'npm test', exitCode: 1, output: 'FAIL <script>x</script>' }]);
    expect(h.integrations.map((i) => [i.from, i.at, i.result])).toEqual([
      [t(4), t(5), 'conflict'], [t(7), t(8), 'verify-failed'], [t(10), t(11), 'merged'],
    ]);
  });

  it('keeps the early conflict warnings a task\'s agent got, and counts them in the run state', () => {
    const warned = [...events, { type: 'task.conflict-warning', at: t(13), taskId: 'c', attempt: 1, step: 3, paths: ['x.ts'], tasks: ['a'] } as RunEvent];
    const s = fold(warned);
    expect(s.history.c!.warnings).toEqual([{ at: t(13), step: 3, paths: ['x.ts'], tasks: ['a'] }]);
    expect(s.history.a!.warnings).toEqual([]);
    expect(s.run.tasks.c!.conflictWarnings).toBe(1);
  });

  it('keeps each reopen of a merged task (tests, output, whose merge showed it) and marks it on the timeline', () => {
    const reopened: RunEvent[] = [
      ...events,
      { type: 'task.reopened', at: t(13), taskId: 'a', tests: ['tests.test_a::test_x'], output: 'E   NameError: c', by: 'c' },
      { type: 'task.queued', at: t(13), taskId: 'a', attempt: 4, round: { kind: 'reopen', tests: ['tests.test_a::test_x'], output: 'E   NameError: c' } },
      { type: 'task.started', at: t(14), taskId: 'a', attempt: 4 },
      { type: 'task.finished', at: t(15), taskId: 'a', attempt: 4, status: 'done', commit: 'ta4', steps: 1, usage: u(5, 1) },
      { type: 'task.merged', at: t(16), taskId: 'a', commit: 'm2', taskCommit: 'ta4' },
    ];
    const s = fold(reopened);
    const h = s.history.a!;
    expect(h.reopens).toEqual([{ at: t(13), tests: ['tests.test_a::test_x'], output: 'E   NameError: c', by: 'c' }]);
    expect(h.rounds.at(-1)).toEqual({ attempt: 4, kind: 'reopen', queuedAt: t(13), startedAt: t(14), finishedAt: t(15), outcome: 'done', steps: 1 });
    expect(h.integrations.slice(-2).map((i) => [i.from, i.at, i.result, i.detail])).toEqual([
      [t(13), t(13), 'reopened', "by c's merge: tests.test_a::test_x"], [t(15), t(16), 'merged', 'm2'],
    ]);
    expect(s.run.tasks.a).toMatchObject({ status: 'merged', reopens: 1 });
    expect(fold(events).history.a!.reopens).toEqual([]);
  });

  it('folds the run itself with core.reduce', () => {
    const s = fold(events);
    expect(s.run.tasks.a).toMatchObject({ status: 'merged', attempts: 3, conflicts: 1, verifyFailures: 1 });
    expect(s.run.usage).toEqual({ inputTokens: 30, outputTokens: 6, costUsd: 0.03 });
    expect(s.run.mergeOrder).toEqual(['a']);
    expect(s.events).toBe(events.length);
    expect(s.lastAt).toBe(t(12));
  });

  it('maps task states to the five colours of the graph', () => {
    const mid = fold(events.slice(0, 4));
    expect(statusCounts(mid.run)).toEqual({ waiting: 2, running: 1, merged: 0, failed: 0, skipped: 0 });
    expect(statusCounts(fold(events).run)).toEqual({ waiting: 1, running: 1, merged: 1, failed: 0, skipped: 0 });
    expect(['pending', 'queued', 'running', 'integrating', 'merged', 'failed', 'skipped'].map((x) => displayStatus(x as never)))
      .toEqual(['waiting', 'waiting', 'running', 'running', 'merged', 'failed', 'skipped']);
  });

  it('ignores events of unknown tasks and is pure', () => {
    const copy = JSON.parse(JSON.stringify(events));
    const s = fold([...events, { type: 'task.conflict', at: t(13), taskId: 'zz', paths: [] }]);
    expect(s.history.zz).toBeUndefined();
    expect(fold(events)).toEqual(fold(events));
    expect(events).toEqual(copy);
  });
});

describe('statusWord', () => {
  it('names every task status with the word `caid status` prints; in flight when the run stopped is interrupted', () => {
    const all = ['pending', 'queued', 'running', 'integrating', 'merged', 'failed', 'skipped'] as const;
    expect(all.map((x) => statusWord({ status: x }, { status: 'running' })))
      .toEqual(['pending', 'queued', 'running', 'in queue', 'merged', 'failed', 'skipped']);
    expect(all.map((x) => statusWord({ status: x }, { status: 'cancelled' })))
      .toEqual(['pending', 'interrupted', 'interrupted', 'interrupted', 'merged', 'failed', 'skipped']);
    // a log that says running, but no live process holds the run's lock (killed with -9)
    expect(all.map((x) => statusWord({ status: x }, { status: 'running' }, true)))
      .toEqual(['pending', 'interrupted', 'interrupted', 'interrupted', 'merged', 'failed', 'skipped']);
  });
});
