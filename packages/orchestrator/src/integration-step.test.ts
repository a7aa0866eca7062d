import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { integrationBranch } from '@caid/core';
import { Repo, type Worktree } from '@caid/git';
import { integrationStep } from './integration-step.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LANG: 'C', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@localhost' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

describe('integrationStep', () => {
  it('keeps the step as one commit on the integration branch, or rejects it (worktree reset) when the branch cannot move, without throwing', async () => {
    const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-step-')));
    dirs.push(root);
    const dir = path.join(root, 'repo');
    mkdirSync(dir);
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(dir, 'a.txt'), 'a\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base');
    const branch = integrationBranch('r');
    git(dir, 'branch', branch);
    const repo = await Repo.open(dir);
    let wt: Worktree | undefined;
    const worktree = async (head: string) => (wt ??= await repo.addWorktree(path.join(root, 'wt', '_integration'), { start: head, detach: true }));
    let round = 0;
    const step = () => integrationStep({ kind: 'review', repo, runId: 'r', worktree, agent: async (d) => { writeFileSync(path.join(d, 'review.txt'), `ok ${++round}\n`); return { ok: true, message: 'reviewed', usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }; } });

    const kept = await step();
    expect(kept).toMatchObject({ type: 'run.step', outcome: 'committed' });
    const head = git(dir, 'rev-parse', branch);
    expect(git(dir, 'show', `${branch}:review.txt`)).toBe('ok 1');

    git(dir, 'worktree', 'add', '-q', path.join(root, 'held'), branch);
    const rejected = await step();
    expect(rejected).toMatchObject({ type: 'run.step', outcome: 'rejected', message: expect.stringMatching(`the review was not kept: cannot move the integration branch ${branch}: it is checked out in ${path.join(root, 'held')}`) });
    expect(git(dir, 'rev-parse', branch)).toBe(head);
    expect(git(wt!.path, 'rev-parse', 'HEAD')).toBe(head);
  });
});
