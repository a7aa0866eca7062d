import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ScriptedReply } from '@caid/llm/testing';
import { call, git, taskOf } from './cli-harness.js';
import { defs, PYTHON_BASE, runQueued, sentBack, steps, testOf, type QueueRun } from './merge-queue-fixture.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// No-regression attribution inside a batch, through the real CLI. The base is red: `test_todo`
// fails on it. One quick task is verified alone; meanwhile the others finish and are merged as one
// batch: a task that makes `test_todo` pass, a task that breaks `test_two` (which the base passes),
// and three harmless ones. The batch's tip is red (test_two), so it is bisected; each probe is
// judged against the last green prefix, so the breaker is held to `test_two` alone, never to
// `test_todo` (red on the base) nor to anything its batch-mates did, and everyone else lands.

// The base is red: test_todo fails on it.
const BASE = { ...PYTHON_BASE, 'lib/todo.py': defs('todo', 0), 'tests/test_todo.py': testOf('todo', 42) };

// Long enough that `quick` is always first to finish, short enough that the rest finish during its verify.
const slow = (r: ScriptedReply): ScriptedReply => ({ ...r, delayMs: 1200 });

function reply(c: Conversation): ScriptedReply {
  const id = taskOf(c)!;
  if (id === 'quick') return steps(c, [call('write_file', { path: 'lib/quick.py', content: defs('quick', 0) }), call('finish', { summary: id })]);
  if (id === 'fixer') return steps(c, [slow(call('write_file', { path: 'lib/todo.py', content: defs('todo', 42) })), call('finish', { summary: 'todo done' })]);
  if (id === 'breaker') {
    if (sentBack(c)) return steps(c, [call('write_file', { path: 'lib/two.py', content: defs('two', 2) }), call('finish', { summary: 'restored two' })]);
    return steps(c, [slow(call('write_file', { path: 'lib/extra.py', content: defs('extra', 3) })), call('write_file', { path: 'lib/two.py', content: defs('two', 22) }), call('finish', { summary: id })]);
  }
  const plain = /^plain-(\d)$/.exec(id);
  if (plain) return steps(c, [slow(call('write_file', { path: `lib/p${plain[1]}.py`, content: defs(`p${plain[1]}`, 5) })), call('finish', { summary: id })]);
  return call('finish', { summary: 'nothing to do' });
}

const PLAN = `goal: finish todo without breaking anything
verify: sleep 3 && python3 -m pytest -q -p no:cacheprovider
tasks:
  - { id: quick, prompt: p }
  - { id: fixer, prompt: p }
  - { id: breaker, prompt: p }
  - { id: plain-1, prompt: p }
  - { id: plain-2, prompt: p }
  - { id: plain-3, prompt: p }
`;

const model = scriptedModelForFile([{ when: (c) => Boolean(taskOf(c)), reply }]);
let repo: string;
let summary: QueueRun['summary'];
let events: QueueRun['events'];
let code: number | null;
let stderr: string;

beforeAll(async () => {
  ({ repo, summary, events, code, stderr } = await runQueued(BASE, PLAN, model.server.url, ['--workers', '6', '--verify-concurrency', '1']));
}, 240_000);

describe('merge queue on a red base (no-regression): attribution inside a batch', () => {
  it('chose no-regression from the red base and merged every task exactly once', () => {
    expect(code, stderr).toBe(0);
    expect(events.find((e) => e.type === 'run.gate')).toMatchObject({ mode: 'no-regression' });
    for (const t of summary.tasks) expect(events.filter((e) => e.type === 'task.merged' && e.taskId === t.id), t.id).toHaveLength(1);
    expect(git(repo, 'show', `${summary.branch}:lib/todo.py`)).toBe(defs('todo', 42).trim());
    expect(git(repo, 'show', `${summary.branch}:lib/two.py`)).toBe(defs('two', 2).trim());
  });

  it('bisected a batch holding the fixer, the breaker and the harmless tasks', () => {
    const big = events.find((e) => e.type === 'batch.started' && e.tasks!.includes('breaker') && e.tasks!.length >= 3);
    expect(big, JSON.stringify(events.filter((e) => e.type === 'batch.started').map((e) => e.tasks))).toBeDefined();
    expect(events.filter((e) => e.type === 'batch.bisected').map((e) => e.culprit)).toEqual(['breaker']);
  });

  it('holds the breaker to the one test it broke, not to the test red on the base', () => {
    const refusals = events.filter((e) => e.type === 'task.gate' && e.taskId === 'breaker' && e.accepted === false);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.newlyFailing!.join(' ')).toMatch(/test_two/);
    expect(refusals[0]!.newlyFailing!.join(' ')).not.toMatch(/test_todo|test_one/);
    const failed = events.filter((e) => e.type === 'task.verify-failed' && e.taskId === 'breaker');
    expect(failed).toHaveLength(1);
    const named = failed[0]!.output!.split('End of the verify output:')[0]!;
    expect(named).toContain('Tests that passed before your merge and fail after it:');
    expect(named).toMatch(/test_two/);
    expect(named).not.toMatch(/test_todo/);
  });

  it('sends back nobody else: the fixer and the harmless tasks land on their first attempt', () => {
    for (const id of ['quick', 'fixer', 'plain-1', 'plain-2', 'plain-3']) {
      expect(summary.tasks.find((t) => t.id === id), id).toMatchObject({ status: 'merged', attempts: 1 });
      expect(events.some((e) => e.type === 'task.verify-failed' && e.taskId === id), id).toBe(false);
    }
    expect(summary.tasks.find((t) => t.id === 'breaker')).toMatchObject({ status: 'merged', attempts: 2 });
  });

  it('ends with test_todo passing on the integration branch, recorded by the gate', () => {
    const last = events.filter((e) => e.type === 'task.gate' && e.accepted).at(-1) as unknown as { tests: { passed: number; failed: number } };
    expect(last.tests).toMatchObject({ passed: 3 + 0, failed: 0 });
  });
});
