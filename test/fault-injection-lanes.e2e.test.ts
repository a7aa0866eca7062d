import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ScriptedReply } from '@caid/llm/testing';
import { call, git, taskOf } from './cli-harness.js';
import { killAndResume } from './kill-and-resume.js';
import { eventsOf } from './resume-harness.js';

// kill -9 while a speculative batch is in flight (two verify lanes). `quick` finishes at once and
// is verified alone (batch 1, a verify of 6 s: with 2 s, a CI run at load 8 verified batch 1 before
// the others, 1 s of model each, were done); the others finish during that verify and form batch 2, merged on top of batch 1's unverified tip and verified at the same time in the second
// integration worktree. The base's own verify is instant: it runs beside the agents, and a slow one
// would let every task finish before batch 1. One of them breaks the build until it is sent back, so batch 2 is also
// bisected. The run is killed at points inside that window; `caid resume` must end in the same
// tree as an uninterrupted run, with every task merged exactly once, no red commit ever on the
// integration branch, and no worktree left behind (the second lane's included).

const sentBack = (c: Conversation) => /verify command/.test(c.lastUser);
const steps = (c: Conversation, list: ScriptedReply[]) => list[Math.min(c.stepInRound, list.length - 1)]!;
const slow = (r: ScriptedReply): ScriptedReply => ({ ...r, delayMs: 1000 });

function reply(c: Conversation): ScriptedReply {
  const id = taskOf(c)!;
  if (id === 'quick') return steps(c, [call('write_file', { path: 'quick.txt', content: 'quick\n' }), call('finish', { summary: id })]);
  if (id === 'bad') {
    if (sentBack(c)) return steps(c, [call('run', { command: 'rm -f BROKEN' }), call('finish', { summary: 'removed BROKEN' })]);
    return steps(c, [slow(call('write_file', { path: 'bad.txt', content: 'bad\n' })), call('write_file', { path: 'BROKEN', content: 'x\n' }), call('finish', { summary: id })]);
  }
  return steps(c, [slow(call('write_file', { path: `${id}.txt`, content: `${id}\n` })), call('finish', { summary: id })]);
}

const IDS = ['quick', 'good-1', 'good-2', 'bad', 'good-3'];
const PLAN = `goal: speculative batches
verify: if test -e quick.txt && ! test -e good-1.txt; then sleep 6; elif test -e quick.txt; then sleep 2; fi; test ! -e BROKEN
tasks:
${IDS.map((id) => `  - { id: ${id}, prompt: p }`).join('\n')}
`;

const scenario = killAndResume({ name: 'lanes', plan: PLAN, files: { 'README.md': '# lanes\n' }, reply, workers: 5, flags: ['--verify-concurrency', '2'] });

describe('kill -9 during a speculative (second-lane) batch, then caid resume', () => {
  let reference: string;
  beforeAll(async () => {
    const r = await scenario();
    expect(r.first.code, r.first.stderr).toBe(0);
    reference = git(r.repo, 'ls-tree', '-r', `caid/${r.runId}/integration`);
    // The uninterrupted run did verify a batch on top of an unverified one.
    const ev = eventsOf(r.repo, r.runId);
    const second = ev.findIndex((e) => e.type === 'batch.started' && e.batch === 2);
    const firstVerified = ev.findIndex((e) => e.type === 'batch.verified' && e.batch === 1);
    expect(second, JSON.stringify(ev.filter((e) => e.type.startsWith('batch.')))).toBeGreaterThan(0);
    expect(second).toBeLessThan(firstVerified);
  }, 180_000);

  // batch.started:2 is the speculative batch starting; batch.verified:1 lands the lower batch while the
  // upper one verifies; batch.verified:2 is the upper batch's red verdict (or its probe); task.merged:2 is
  // the first task landed from the upper batch.
  // run.finished:1: the log says the run ended but its cleanup never ran; resume must finish that cleanup.
  const KILL_POINTS = ['batch.started:2', 'batch.verified:1', 'batch.verified:2', 'task.merged:2', 'run.finished:1'];
  const killedAt = new Set<string>();

  it.each(KILL_POINTS)('killed after %s: same tree, every task merged once, never a red head, no worktree left', async (point) => {
    const r = await scenario(point);
    if (!r.killed) {
      expect(r.first.code, r.first.stderr).toBe(0);
      return;
    }
    killedAt.add(point);
    expect(r.resumed!.code, r.resumed!.stderr).toBe(0);
    const integration = `caid/${r.runId}/integration`;
    expect(JSON.parse(r.resumed!.stdout)).toMatchObject({ status: 'succeeded', commit: git(r.repo, 'rev-parse', integration) });
    expect(git(r.repo, 'ls-tree', '-r', integration)).toBe(reference);
    const ev = eventsOf(r.repo, r.runId);
    for (const id of IDS) expect(ev.filter((e) => e.type === 'task.merged' && e.taskId === id), id).toHaveLength(1);
    const red = new Set(ev.filter((e) => e.type === 'batch.verified' && !e.accepted).map((e) => e.commit));
    for (const p of git(r.repo, 'reflog', 'show', '--format=%H', integration).split('\n')) expect(red.has(p), p).toBe(false);
    expect(git(r.repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    if (point === 'batch.started:2') {
      // The kill came while batch 2 stood on an unverified batch 1.
      const resumedAt = ev.findIndex((e) => e.type === 'run.resumed');
      expect(ev.slice(0, resumedAt).some((e) => e.type === 'batch.verified' && e.batch === 1)).toBe(false);
    }
  }, 180_000);

  it('reached the speculative window: the kill after batch.started:2 happened', () => {
    expect(killedAt.has('batch.started:2')).toBe(true);
    expect(killedAt.size).toBeGreaterThanOrEqual(3);
    expect(killedAt.has('run.finished:1')).toBe(true);
  });
});
