import { describe, expect, it } from 'vitest';
import type { RunEvent } from './events.js';
import { initialState, reduce } from './reduce.js';

const at = '2026-11-22T10:00:00.000Z';
const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
const t = (id: string, dependsOn: string[] = []) => ({ id, prompt: `p ${id}`, dependsOn, files: [] });
const start: RunEvent[] = [
  {
    type: 'run.started', at, runId: 'r1', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b0', branch: 'caid/r1/integration',
    worktreeRoot: '/w', workers: 2, tasks: [t('a'), t('parse', ['a']), t('report', ['parse']), t('docs', ['parse']), t('other')],
  },
  { type: 'task.merged', at, taskId: 'a', commit: 'm1', taskCommit: 'x' },
  { type: 'task.failed', at, taskId: 'parse', reason: 'step-limit' },
];
const fold = (es: RunEvent[]) => es.reduce(reduce, initialState());

describe('plan.revised', () => {
  it('adds new tasks, rewires kept pending ones, drops the rest, and marks the failed task superseded', () => {
    const s = fold([...start, {
      type: 'plan.revised', at, failedTaskId: 'parse', reason: 'step-limit',
      tasks: [t('parse-lexer', ['a']), t('parse-tree', ['parse-lexer']), { ...t('report', ['parse-tree']), prompt: 'new prompt' }],
      dropped: ['docs'],
    }]);
    expect(s.order).toEqual(['a', 'parse', 'report', 'docs', 'other', 'parse-lexer', 'parse-tree']);
    expect(s.tasks['parse-tree']).toMatchObject({ status: 'pending', dependsOn: ['parse-lexer'], attempts: 0, usage: zero });
    expect(s.tasks.report).toMatchObject({ status: 'pending', dependsOn: ['parse-tree'], prompt: 'new prompt' });
    expect(s.tasks.docs).toMatchObject({ status: 'skipped', blockedBy: 'parse', superseded: true });
    expect(s.tasks.parse).toMatchObject({ status: 'failed', superseded: true });
    expect(s.tasks.a!.status).toBe('merged');
    expect(s.revisions).toBe(1);
  });

  it('a revision may re-estimate a pending task; one repeated without an estimate keeps its old one', () => {
    const estimated = [{ ...start[0]!, tasks: (start[0] as Extract<RunEvent, { type: 'run.started' }>).tasks.map((x) => ({ ...x, estimate: 2 })) } as RunEvent, ...start.slice(1)];
    const s = fold([...estimated, {
      type: 'plan.revised', at, failedTaskId: 'parse', reason: 'r',
      tasks: [{ ...t('parse-again', ['a']), estimate: 8 }, { ...t('report', ['parse-again']), estimate: 5 }, t('docs', ['parse-again'])], dropped: [],
    }]);
    expect(s.tasks['parse-again']!.estimate).toBe(8);
    expect(s.tasks.report).toMatchObject({ dependsOn: ['parse-again'], estimate: 5 });
    expect(s.tasks.docs).toMatchObject({ dependsOn: ['parse-again'], estimate: 2 });
  });

  it('a revision that only drops work supersedes nothing: the failure stands', () => {
    const s = fold([...start, { type: 'plan.revised', at, failedTaskId: 'parse', reason: 'r', tasks: [], dropped: ['report', 'docs'] }]);
    expect(s.tasks.parse!.superseded).toBeUndefined();
    expect(s.tasks.report).toMatchObject({ status: 'skipped', superseded: false });
  });

  it('run.step moves the head only when it committed and counts its tokens', () => {
    const s = fold([...start,
      { type: 'run.step', at, kind: 'review', outcome: 'rejected', message: 'verify failed', usage: { inputTokens: 5, outputTokens: 1, costUsd: 0 } },
      { type: 'run.step', at, kind: 'review', outcome: 'committed', commit: 'r2', usage: { inputTokens: 7, outputTokens: 2, costUsd: 0 } },
    ]);
    expect(s.head).toBe('r2');
    expect(s.usage.inputTokens).toBe(12);
    expect(s.steps?.map((x) => x.outcome)).toEqual(['rejected', 'committed']);
  });
});
