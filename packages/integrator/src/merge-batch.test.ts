import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TaskResultSchema, integrationBranch, type IntegrationOutcome, type Task, type TaskResult } from '@caid/core';
import { Repo, type Worktree } from '@caid/git';
import { batchIntegrator, type IntegratorOptions } from './merge-batch.js';

/** The merge queue fed one task at a time: each call is a batch of one; its outcome, or null if none was reported. */
function integrator(o: IntegratorOptions) {
  const integrateBatch = batchIntegrator(o);
  let batches = 0;
  return async (result: TaskResult, task: Pick<Task, 'title' | 'verify'>): Promise<IntegrationOutcome | null> => {
    let outcome: IntegrationOutcome | null = null;
    await integrateBatch([{ result, task }], { report: async (_r, out) => { outcome = out; }, event: async () => undefined, nextBatch: () => ++batches });
    return outcome;
  };
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LANG: 'C', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@localhost' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

/** A repository with three task branches off `main`: `a` and `b` edit the same line, `c` adds a file. */
async function fixture() {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-integrate-')));
  dirs.push(root);
  const dir = path.join(root, 'repo');
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  const commit = (files: Record<string, string>, msg: string) => {
    for (const [f, t] of Object.entries(files)) writeFileSync(path.join(dir, f), t);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', msg);
    return git(dir, 'rev-parse', 'HEAD');
  };
  const base = commit({ 'shared.txt': 'one\ntwo\nthree\n' }, 'base');
  const tasks: Record<string, string> = {};
  const byTask: Record<string, Record<string, string>> = { a: { 'shared.txt': 'one\nA\nthree\n' }, b: { 'shared.txt': 'one\nB\nthree\n' }, c: { 'c.txt': 'c\n' } };
  for (const [id, files] of Object.entries(byTask)) {
    git(dir, 'checkout', '-q', '-b', `caid/tasks/${id}`, base);
    tasks[id] = commit(files, id);
  }
  git(dir, 'checkout', '-q', 'main');
  return { root, repo: await Repo.open(dir), base, tasks };
}

const result = (taskId: string, commit: string): TaskResult =>
  TaskResultSchema.parse({ taskId, attempt: 1, status: 'done', commit, steps: 1, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });

describe('batchIntegrator, one task at a time', () => {
  it('without checks merges with no worktree, and gives the outcomes a checked merge in the worktree gives', async () => {
    const { root, repo, base, tasks } = await fixture();
    const runs = { plain: 'r-plain', checked: 'r-checked' };
    for (const runId of Object.values(runs)) await repo.createBranch(integrationBranch(runId), base);
    let made: Worktree | undefined;
    const plain = integrator({ repo, runId: runs.plain, verifyTimeoutMs: 60_000, worktree: () => { throw new Error('a merge without checks needs no worktree'); } });
    const checked = integrator({
      repo, runId: runs.checked, verifyTimeoutMs: 60_000,
      worktree: async (head) => {
        made ??= await repo.addWorktree(path.join(root, 'wt', '_integration'), { start: head, detach: true });
        if ((await made.head()) !== head) await made.resetHard(head);
        return made;
      },
    });
    const outcomes = { plain: [] as unknown[], checked: [] as unknown[] };
    for (const id of ['a', 'b', 'c', 'a']) {
      outcomes.plain.push(await plain(result(id, tasks[id]!), { title: `task ${id}` }));
      outcomes.checked.push(await checked(result(id, tasks[id]!), { title: `task ${id}`, verify: 'true' }));
    }
    const heads = { plain: (await repo.resolve(integrationBranch(runs.plain)))!, checked: (await repo.resolve(integrationBranch(runs.checked)))! };
    const tree = (sha: string) => git(repo.root, 'rev-parse', `${sha}^{tree}`);
    const shape = (o: unknown) => {
      const x = o as { kind: string; commit?: string; paths?: string[]; taskCommit?: string };
      return x.kind === 'merged' ? { kind: x.kind, tree: tree(x.commit!), taskCommit: x.taskCommit } : x;
    };
    expect(outcomes.plain.map(shape)).toEqual(outcomes.checked.map(shape));
    expect(outcomes.plain[1]).toEqual({ kind: 'conflict', paths: ['shared.txt'] });
    // the repeated `a` is already merged: nothing new, the head is returned
    expect(outcomes.plain[3]).toEqual({ kind: 'merged', commit: heads.plain, taskCommit: tasks.a });

    // a then c: two merge commits whose parents are the previous head and the task's commit
    const log = git(repo.root, 'log', '--format=%H %P|%s|%an', '--first-parent', heads.plain).split('\n');
    const mergeA = (outcomes.plain[0] as { commit: string }).commit;
    expect(log).toEqual([
      `${heads.plain} ${mergeA} ${tasks.c}|caid: merge task c (task c)|caid`,
      `${mergeA} ${base} ${tasks.a}|caid: merge task a (task a)|caid`,
      `${base} |base|t`,
    ]);
    expect(git(repo.root, 'show', `${heads.plain}:shared.txt`)).toBe('one\nA\nthree');
    expect(git(repo.root, 'status', '--porcelain')).toBe('');
  });
});
