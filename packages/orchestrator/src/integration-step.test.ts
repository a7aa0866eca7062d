import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { integrationBranch } from '@caid/core';
import { Repo, type Worktree } from '@caid/git';
// The git package's own repository fixture (a test file of that package, not shipped).
import { git, initRepo, removeTempDirs } from '../../git/src/temp-repo.fixture.js';
import { integrationStep } from './integration-step.js';

afterAll(removeTempDirs);

describe('integrationStep', () => {
  it('keeps the step as one commit on the integration branch, or rejects it (worktree reset) when the branch cannot move, without throwing', async () => {
    const dir = initRepo();
    const root = path.dirname(dir);
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
