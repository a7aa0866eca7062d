import { describe, expect, it } from 'vitest';
import type { RunEvent } from './events.js';
import { initialState, reduce } from './reduce.js';
import { summarize } from './summary.js';
import { newRunId, RUN_ID } from './ids.js';

const at = '2026-11-22T10:00:00.000Z';
const u = (i: number, o: number) => ({ inputTokens: i, outputTokens: o, costUsd: 0 });
const events: RunEvent[] = [
  {
    type: 'run.started', at, runId: 'r1', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'base0', branch: 'caid/r1/integration',
    worktreeRoot: '/w', workers: 2, tasks: [
      { id: 'a', prompt: 'pa', dependsOn: [], files: [] },
      { id: 'b', prompt: 'pb', dependsOn: ['a'], files: [] },
      { id: 'c', prompt: 'pc', dependsOn: [], files: [] },
    ],
  },
  { type: 'task.queued', at, taskId: 'a', attempt: 1, round: { kind: 'start' } },
  { type: 'task.queued', at, taskId: 'c', attempt: 1, round: { kind: 'start' } },
  { type: 'task.started', at, taskId: 'a', attempt: 1 },
  { type: 'task.step', at, taskId: 'a', attempt: 1, step: 1, tool: 'write_file', usage: u(10, 2) },
  { type: 'task.finished', at, taskId: 'a', attempt: 1, status: 'done', commit: 'ta1', steps: 2, usage: u(20, 4) },
  { type: 'task.conflict', at, taskId: 'a', paths: ['x.ts'] },
  { type: 'task.queued', at, taskId: 'a', attempt: 2, round: { kind: 'conflict' } },
  { type: 'task.finished', at, taskId: 'a', attempt: 2, status: 'done', commit: 'ta2', steps: 1, usage: u(5, 1) },
  { type: 'task.merged', at, taskId: 'a', commit: 'm1', taskCommit: 'ta2' },
  { type: 'task.finished', at, taskId: 'c', attempt: 1, status: 'failed', reason: 'step-limit', steps: 50, usage: u(1, 1) },
  { type: 'task.failed', at, taskId: 'c', reason: 'step-limit' },
  { type: 'task.skipped', at, taskId: 'b', blockedBy: 'c' },
  { type: 'run.finished', at, status: 'failed', commit: 'm1' },
];

describe('reduce', () => {
  it('folds a run log into the run state', () => {
    const s = events.reduce(reduce, initialState());
    expect(s.status).toBe('failed');
    expect(s.head).toBe('m1');
    expect(s.mergeOrder).toEqual(['a']);
    expect(s.tasks.a).toMatchObject({ status: 'merged', attempts: 2, conflicts: 1, commit: 'ta2', mergeCommit: 'm1', usage: u(25, 5) });
    expect(s.tasks.a!.liveUsage).toEqual(u(0, 0));
    expect(s.tasks.b).toMatchObject({ status: 'skipped', blockedBy: 'c' });
    expect(s.tasks.c).toMatchObject({ status: 'failed', reason: 'step-limit' });
    expect(s.usage).toEqual(u(26, 6));
  });

  it('tracks live progress inside a round', () => {
    const s = events.slice(0, 5).reduce(reduce, initialState());
    expect(s.tasks.a).toMatchObject({ status: 'running', step: 1, tool: 'write_file', liveUsage: u(10, 2) });
    expect(s.head).toBe('base0');
  });

  it('is pure: folding twice gives equal states and the input is not mutated', () => {
    const copy = JSON.parse(JSON.stringify(events));
    expect(events.reduce(reduce, initialState())).toEqual(events.reduce(reduce, initialState()));
    expect(events).toEqual(copy);
  });

  it('summarises to the --json contract', () => {
    const sum = summarize(events.reduce(reduce, initialState()));
    expect(sum).toEqual({
      runId: 'r1', status: 'failed', branch: 'caid/r1/integration', commit: 'm1',
      tasks: [
        { id: 'a', status: 'merged', attempts: 2, conflicts: 1 },
        { id: 'b', status: 'skipped', attempts: 0, conflicts: 0 },
        { id: 'c', status: 'failed', attempts: 1, conflicts: 0 },
      ],
      usage: u(26, 6),
    });
  });
});

describe('run ids', () => {
  it('are never all digits, never contain ":", and sort by time', () => {
    const a = newRunId(new Date('2026-01-02T03:04:05Z'), () => 0);
    const b = newRunId(new Date('2026-01-02T03:04:06Z'), () => 0.99);
    expect(a).toBe('20260102-030405-0000');
    expect(RUN_ID.test(a) && !a.includes(':') && !/^\d+$/.test(a)).toBe(true);
    expect([b, a].sort()).toEqual([a, b]);
    expect(RUN_ID.test('12345')).toBe(false);
    for (const bad of ['a..b', 'x.lock', 'x.', '.x']) expect(RUN_ID.test(bad), bad).toBe(false);
    for (const good of ['a.b', 'lock', 'x.locks']) expect(RUN_ID.test(good), good).toBe(true);
  });
});

describe('reduce: tests waiting on unfinished code', () => {
  it('keeps the last accepted gate report\'s waiting tests; a log without them folds as before', () => {
    const gate = (accepted: boolean, waiting?: { test: string; task?: string; at: string }[]): RunEvent => ({
      type: 'task.gate', at, taskId: 'a', mode: 'no-regression', accepted, tests: { passed: 1, failed: 1, total: 2 }, newlyFailing: [], flaky: [], ...(waiting ? { waiting } : {}),
    });
    const start = events.slice(0, 1).reduce(reduce, initialState());
    expect(reduce(start, gate(true)).waiting).toBeUndefined();
    const w = [{ test: 't::x', task: 'b', at: 'lib/b.py:2' }];
    const s = reduce(start, gate(true, w));
    expect(s.waiting).toEqual(w);
    expect(reduce(s, gate(false)).waiting).toEqual(w);
    expect(reduce(s, gate(true)).waiting).toEqual([]);
  });
});
