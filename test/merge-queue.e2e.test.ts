import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ScriptedReply } from '@caid/llm/testing';
import { call, git, runCli, taskOf } from './cli-harness.js';
import { defs, PYTHON_BASE, runQueued, sentBack, steps, testOf, type QueueRun } from './merge-queue-fixture.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// The merge queue through the real CLI. One task finishes at once and is verified alone; its
// verify (pytest behind a sleep once quick's file is in) is long enough for the other eight to finish meanwhile, so they
// wait in the queue and are merged as one batch: four good tasks, two that each break a test the
// base passes, and two that write the same new file (the second conflicts inside the batch).

// Later tasks take longer (past the base's verify, which runs beside them), so they finish while the first one's batch verifies.
const slow = (r: ScriptedReply): ScriptedReply => ({ ...r, delayMs: 1500 });

function reply(c: Conversation): ScriptedReply {
  const id = taskOf(c)!;
  if (c.lastUser.includes('merge conflict')) {
    return steps(c, [call('write_file', { path: 'NOTES.md', content: 'from writer-a\nfrom writer-b\n' }), call('finish', { summary: 'kept both notes' })]);
  }
  if (id === 'quick') return steps(c, [call('write_file', { path: 'lib/quick.py', content: defs('quick', 0) }), call('finish', { summary: id })]);
  const good = /^good-(\d)$/.exec(id);
  if (good) {
    const n = `g${good[1]}`;
    return steps(c, [slow(call('write_file', { path: `lib/${n}.py`, content: defs(n, 7) })), call('write_file', { path: `tests/test_${n}.py`, content: testOf(n, 7) }), call('finish', { summary: id })]);
  }
  const bad = /^bad-(one|two)$/.exec(id);
  if (bad) {
    const f = bad[1]!;
    // Each breaks a different passing test on its first attempt and repairs it when sent back.
    if (sentBack(c)) return steps(c, [call('write_file', { path: `lib/${f}.py`, content: defs(f, f === 'one' ? 1 : 2) }), call('finish', { summary: `restored ${f}` })]);
    return steps(c, [slow(call('write_file', { path: `lib/${f}_extra.py`, content: defs(`${f}_extra`, 3) })), call('write_file', { path: `lib/${f}.py`, content: defs(f, 99) }), call('finish', { summary: id })]);
  }
  if (id === 'writer-a' || id === 'writer-b') return steps(c, [slow(call('write_file', { path: 'NOTES.md', content: `from ${id}\n` })), call('finish', { summary: id })]);
  return call('finish', { summary: 'nothing to do' });
}

// The sleep is for quick's verify, not the base's: the base's verify runs beside the tasks, and a
// slow one would let all nine finish before anything merges.
const PLAN = `goal: merge queue
verify: 'if [ -e lib/quick.py ]; then sleep 2; fi; python3 -m pytest -q -p no:cacheprovider'
tasks:
  - { id: quick, prompt: p }
  - { id: good-1, prompt: p }
  - { id: good-2, prompt: p }
  - { id: good-3, prompt: p }
  - { id: good-4, prompt: p }
  - { id: bad-one, prompt: p }
  - { id: bad-two, prompt: p }
  - { id: writer-a, prompt: p }
  - { id: writer-b, prompt: p }
`;

const model = scriptedModelForFile([{ when: (c) => Boolean(taskOf(c)), reply }]);

// With two lanes, the batch that forms while the first verifies is merged on top of it and verified at once.
// No batch delay: the scenario needs `quick` verified alone while the others finish (the delay has its own tests).
describe.each([1, 2])('merge queue (verify concurrency %i): one batch with two culprits and a conflict inside it', (lanes) => {
  let repo: string;
  let summary: QueueRun['summary'];
  let events: QueueRun['events'];
  let code: number | null;
  let stderr: string;

  beforeAll(async () => {
    ({ repo, summary, events, code, stderr } = await runQueued(PYTHON_BASE, PLAN, model.server.url, ['--workers', '9', '--verify-concurrency', String(lanes), '--batch-wait', '0']));
  }, 240_000);

  it('lands every task exactly once and succeeds', () => {
    expect(code, stderr).toBe(0);
    expect(summary.status).toBe('succeeded');
    for (const t of summary.tasks) expect(events.filter((e) => e.type === 'task.merged' && e.taskId === t.id), t.id).toHaveLength(1);
    const tree = git(repo, 'ls-tree', '-r', '--name-only', summary.branch);
    for (const f of ['lib/quick.py', 'lib/g1.py', 'lib/g4.py', 'lib/one_extra.py', 'lib/two_extra.py', 'NOTES.md']) expect(tree).toContain(f);
    expect(git(repo, 'show', `${summary.branch}:lib/one.py`)).toBe(defs('one', 1).trim());
    expect(git(repo, 'show', `${summary.branch}:lib/two.py`)).toBe(defs('two', 2).trim());
  });

  it('merges the tasks that waited together as one batch verified once', () => {
    const started = events.filter((e) => e.type === 'batch.started');
    const big = started.find((e) => e.tasks!.length >= 6);
    expect(big, JSON.stringify(started.map((e) => e.tasks))).toBeDefined();
    // The batch's tip was verified once as a whole (the rest were probes of its prefixes).
    const whole = events.filter((e) => e.type === 'batch.verified' && e.batch === big!.batch && !e.probe);
    expect(whole).toHaveLength(1);
    expect(whole[0]!.accepted).toBe(false);
  });

  it('finds both culprits, lands the rest, and sends back exactly the two breakers with the failing test', () => {
    const culprits = events.filter((e) => e.type === 'batch.bisected').map((e) => e.culprit).sort();
    expect(culprits).toEqual(['bad-one', 'bad-two']);
    for (const id of ['bad-one', 'bad-two']) {
      expect(summary.tasks.find((t) => t.id === id), id).toMatchObject({ status: 'merged', attempts: 2 });
      const failed = events.filter((e) => e.type === 'task.verify-failed' && e.taskId === id) as unknown as { output: string }[];
      expect(failed, id).toHaveLength(1);
      expect(failed[0]!.output).toContain(`test_${id.slice(4)}`);
    }
    for (const id of ['quick', 'good-1', 'good-2', 'good-3', 'good-4']) {
      expect(summary.tasks.find((t) => t.id === id), id).toMatchObject({ status: 'merged', attempts: 1, conflicts: 0 });
      expect(events.some((e) => e.type === 'task.verify-failed' && e.taskId === id), id).toBe(false);
    }
  });

  it('takes the conflicting writer out of the batch for its conflict round; both notes land', () => {
    const conflicted = events.filter((e) => e.type === 'task.conflict').map((e) => e.taskId);
    expect(conflicted).toHaveLength(1);
    expect(['writer-a', 'writer-b']).toContain(conflicted[0]);
    expect(git(repo, 'show', `${summary.branch}:NOTES.md`)).toBe('from writer-a\nfrom writer-b');
  });

  it('the integration branch only ever pointed at verified commits', () => {
    const red = new Set(events.filter((e) => e.type === 'batch.verified' && !e.accepted).map((e) => e.commit));
    expect(red.size).toBeGreaterThan(0);
    const positions = git(repo, 'reflog', 'show', '--format=%H', summary.branch).split('\n');
    for (const p of positions) expect(red.has(p), p).toBe(false);
  });

  it('finds the culprits with few verify runs: at most 2 log2(batch) + 1 extra runs per culprit', () => {
    const verifies = events.filter((e) => e.type === 'batch.verified').length;
    const batches = events.filter((e) => e.type === 'batch.started').length;
    const bisected = events.filter((e) => e.type === 'batch.bisected').length;
    expect(verifies - batches).toBeLessThanOrEqual(bisected * (2 * Math.log2(8) + 1));
  });

  it.runIf(lanes > 1)('verifies the second batch on top of the first while the first still verifies', () => {
    const firstVerified = events.findIndex((e) => e.type === 'batch.verified' && e.batch === 1);
    const second = events.findIndex((e) => e.type === 'batch.started' && e.batch === 2);
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThan(firstVerified);
    const first = events.find((e) => e.type === 'batch.verified' && e.batch === 1)!;
    expect((events[second] as unknown as { base: string }).base).toBe(first.commit);
  });

  it('caid status names the queue events', async () => {
    const s = await runCli(['status', summary.runId, '--repo', repo]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/merge queue: \d+ batches?, 2 culprits? found/);
  });
});
