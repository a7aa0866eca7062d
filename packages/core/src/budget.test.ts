import { describe, expect, it } from 'vitest';
import { budgetExceeded } from './budget.js';
import { initialState, reduce } from './reduce.js';
import type { RunEvent } from './events.js';

const at = '2026-01-01T00:00:00.000Z';
const started: RunEvent = {
  type: 'run.started', at, runId: 'r1', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'c0', branch: 'b', worktreeRoot: '/w', workers: 2,
  tasks: [{ id: 'a', prompt: 'p', dependsOn: [], files: [] }, { id: 'b', prompt: 'p', dependsOn: [], files: [] }],
};

describe('budgetExceeded', () => {
  it('counts finished rounds and rounds in flight, against tokens and dollars', () => {
    let s = [started].reduce(reduce, initialState());
    s = reduce(s, { type: 'task.finished', at, taskId: 'a', attempt: 1, status: 'done', steps: 2, usage: { inputTokens: 600, outputTokens: 100, costUsd: 0.5 } });
    expect(budgetExceeded(s, { tokens: 1000, usd: 1 })).toBeUndefined();
    s = reduce(s, { type: 'task.step', at, taskId: 'b', attempt: 1, step: 1, usage: { inputTokens: 250, outputTokens: 50, costUsd: 0.25 } });
    expect(budgetExceeded(s, { tokens: 1000 })).toBe('token budget reached: 1000 of 1000 tokens used');
    expect(budgetExceeded(s, { usd: 0.75 })).toBe('cost budget reached: $0.7500 of $0.75 spent');
    expect(budgetExceeded(s, {})).toBeUndefined();
  });

  it('puts the reason of an early stop into the folded state', () => {
    const s = [started, { type: 'run.finished', at, status: 'failed', commit: 'c0', reason: 'budget', message: 'token budget reached' } as RunEvent].reduce(reduce, initialState());
    expect(s).toMatchObject({ status: 'failed', reason: 'budget', reasonMessage: 'token budget reached' });
  });
});
