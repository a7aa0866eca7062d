import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '@caid/llm/testing';
import { call, git, taskOf } from './cli-harness.js';
import { killAndResume } from './kill-and-resume.js';
import { eventsOf } from './resume-harness.js';

// Eight tasks: a diamond (base -> left, right -> join), a task whose first attempt fails verify
// (fixme -> e1) and a chain (e2 -> e3). left and right both edit shared.txt; each keeps the file's
// lines sorted and unique, so the final tree is the same whichever order they merge in.
const PLAN = `goal: fault injection
verify: test ! -e bad.txt
tasks:
  - { id: base, prompt: p }
  - { id: left, prompt: p, dependsOn: [base] }
  - { id: right, prompt: p, dependsOn: [base] }
  - { id: join, prompt: p, dependsOn: [left, right] }
  - { id: fixme, prompt: p }
  - { id: e1, prompt: p, dependsOn: [fixme] }
  - { id: e2, prompt: p }
  - { id: e3, prompt: p, dependsOn: [e2] }
`;

const sortedUnion = (...texts: string[]) => `${[...new Set(texts.join('\n').split('\n').filter((l) => l && !/^(<<<<<<<|=======|>>>>>>>)/.test(l)))].sort().join('\n')}\n`;

function reply(c: Conversation) {
  const id = taskOf(c)!;
  const s = c.stepInRound;
  if (c.lastUser.includes('merge conflict')) {
    return [call('read_file', { path: 'shared.txt' }), call('write_file', { path: 'shared.txt', content: sortedUnion(c.lastToolResult ?? '') }), call('finish', { summary: 'resolved' })][Math.min(s, 2)]!;
  }
  if (id === 'fixme' && c.lastUser.includes('verify command')) {
    return [call('run', { command: 'rm -f bad.txt' }), call('finish', { summary: 'removed bad.txt' })][Math.min(s, 1)]!;
  }
  if (id === 'left' || id === 'right') {
    return [call('read_file', { path: 'shared.txt' }), call('write_file', { path: 'shared.txt', content: sortedUnion(c.lastToolResult ?? '', `line from ${id}`) }), call('finish', { summary: id })][Math.min(s, 2)]!;
  }
  const files = id === 'fixme' ? { 'fixme.txt': 'fixme\n', 'bad.txt': 'bad\n' } : { [`${id}.txt`]: `${id}\n` };
  const steps = [...Object.entries(files).map(([p, content]) => call('write_file', { path: p, content })), call('finish', { summary: id })];
  return steps[Math.min(s, steps.length - 1)]!;
}

const IDS = ['base', 'left', 'right', 'join', 'fixme', 'e1', 'e2', 'e3'];
const scenario = killAndResume({ name: 'fault', plan: PLAN, files: { 'shared.txt': 'original\n' }, reply, workers: 2 });

const tree = (repo: string, branch: string) => git(repo, 'ls-tree', '-r', branch);

describe('kill -9 at any point, then caid resume', () => {
  let reference: string;
  beforeAll(async () => {
    const r = await scenario();
    expect(r.first.code, r.first.stderr).toBe(0);
    reference = tree(r.repo, `caid/${r.runId}/integration`);
    expect(reference).toContain('join.txt');
    expect(git(r.repo, 'show', `caid/${r.runId}/integration:shared.txt`)).toBe('line from left\nline from right\noriginal');
  }, 120_000);

  const KILL_POINTS = [
    'run.started:1', 'run.gate:1', 'task.queued:1', 'task.queued:3', 'task.started:1', 'task.started:4',
    'task.step:1', 'task.step:5', 'task.step:12', 'task.finished:1', 'task.finished:3', 'task.finished:7',
    'task.gate:1', 'task.gate:4', 'task.merged:1', 'task.merged:3', 'task.merged:5', 'task.merged:8',
    'task.verify-failed:1', 'task.queued:9', 'task.started:8', 'task.gate:8',
    // The merge queue: a batch started, its verify recorded (the red one among them), a culprit found.
    'batch.started:1', 'batch.started:3', 'batch.verified:1', 'batch.verified:3', 'batch.bisected:1',
  ];
  let kills = 0;
  const killedAt = new Set<string>();

  it.each(KILL_POINTS)('killed after %s: resume finishes with the same tree, each task merged once, every task commit reachable', async (point) => {
    const r = await scenario(point);
    if (!r.killed) {
      // the run never reached this point (e.g. a conflict-free ordering); it must have ended normally
      expect(r.first.code, r.first.stderr).toBe(0);
      return;
    }
    kills++;
    killedAt.add(point);
    expect(r.resumed!.code, r.resumed!.stderr).toBe(0);
    const integration = `caid/${r.runId}/integration`;
    expect(JSON.parse(r.resumed!.stdout)).toMatchObject({ status: 'succeeded', commit: git(r.repo, 'rev-parse', integration) });
    expect(tree(r.repo, integration)).toBe(reference);
    const merges = git(r.repo, 'log', '--first-parent', '--format=%s', integration).split('\n').filter((m) => m.startsWith('caid: merge task '));
    for (const id of IDS) expect(merges.filter((m) => m.startsWith(`caid: merge task ${id} `) || m === `caid: merge task ${id}`), id).toHaveLength(1);
    for (const id of IDS) expect(() => git(r.repo, 'merge-base', '--is-ancestor', `caid/${r.runId}/tasks/${id}`, integration), id).not.toThrow();
    const events = eventsOf(r.repo, r.runId);
    for (const id of IDS) expect(events.filter((e) => e.type === 'task.merged' && e.taskId === id), id).toHaveLength(1);
    expect(git(r.repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  }, 120_000);

  it('killed the run at 20 points or more, every merge-queue point among them', () => {
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(KILL_POINTS.filter((p) => p.startsWith('batch.') && !killedAt.has(p))).toEqual([]);
  });
});
