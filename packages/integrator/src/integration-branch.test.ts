import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { integrationBranch, type IntegrationOutcome } from '@caid/core';
import { Repo } from '@caid/git';
// The git package's own repository fixture (a test file of that package, not shipped).
import { git, initRepo, removeTempDirs, write } from '../../git/src/temp-repo.fixture.js';
import { batchIntegrator } from './merge-batch.js';
import { integrationHead, moveIntegrationBranch } from './integration-branch.js';

afterAll(removeTempDirs);

/** A repository with branch `caid/r/integration` at the base and a task commit `t` on top of it. */
async function fixture() {
  const dir = initRepo();
  const root = path.dirname(dir);
  const base = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'branch', integrationBranch('r'), base);
  git(dir, 'checkout', '-q', '-b', 'caid/r/tasks/t');
  write(dir, 't.txt', 't\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 't');
  const task = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', 'main');
  return { root, dir, repo: await Repo.open(dir), base, task };
}

describe('the integration branch as caid moves and reads it', () => {
  it('puts back a head that something else moved after caid\'s last move, so nothing unverified is built on', async () => {
    const { dir, repo, base, task } = await fixture();
    const branch = integrationBranch('r');
    expect(await integrationHead(repo, branch)).toBe(base);
    expect(await moveIntegrationBranch(repo, branch, task, base)).toBeNull();
    // An agent moves it to a commit of its own.
    git(dir, 'checkout', '-q', '-b', 'evil', base);
    writeFileSync(path.join(dir, 'evil.txt'), 'x\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'evil');
    git(dir, 'checkout', '-q', 'main');
    git(dir, 'update-ref', `refs/heads/${branch}`, git(dir, 'rev-parse', 'evil'));
    expect(await integrationHead(repo, branch)).toBe(task);
    expect(git(dir, 'rev-parse', branch)).toBe(task);
  });

  it('moves the branch, or says why it could not: checked out elsewhere, a lock that stays, moved by someone else', async () => {
    const { root, dir, repo, base, task } = await fixture();
    const branch = integrationBranch('r');
    git(dir, 'worktree', 'add', '-q', path.join(root, 'held'), branch);
    expect(await moveIntegrationBranch(repo, branch, task, base)).toBe(`cannot move the integration branch ${branch}: it is checked out in ${path.join(root, 'held')} (switch that checkout to another branch, or remove that worktree)`);
    git(dir, 'worktree', 'remove', path.join(root, 'held'));

    const lock = path.join(dir, '.git', 'refs', 'heads', 'caid', 'r', 'integration.lock');
    writeFileSync(lock, '');
    const t0 = Date.now();
    expect(await moveIntegrationBranch(repo, branch, task, base)).toMatch(new RegExp(`: its lock file ${lock.replace(/[.]/g, '\\.')} stayed`));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    // A lock that goes away while the move waits (another git finishing) is no failure.
    setTimeout(() => rmSync(lock), 150);
    expect(await moveIntegrationBranch(repo, branch, task, base)).toBeNull();
    expect(git(dir, 'rev-parse', branch)).toBe(task);

    expect(await moveIntegrationBranch(repo, branch, base, base)).toMatch(/it was moved by something other than caid/);
    expect(git(dir, 'rev-parse', branch)).toBe(task);
  });

  it('in the merge queue: the task whose merge could not land fails with the reason, and the head stays', async () => {
    const { root, dir, repo, base, task } = await fixture();
    git(dir, 'worktree', 'add', '-q', path.join(root, 'held'), integrationBranch('r'));
    const outcomes: IntegrationOutcome[] = [];
    const integrate = batchIntegrator({ repo, runId: 'r', verifyTimeoutMs: 60_000, worktree: () => { throw new Error('no checks, no worktree'); } });
    const result = { taskId: 't', attempt: 1, status: 'done' as const, commit: task, steps: 1, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
    await integrate([{ result, task: {} }], { report: async (_r, o) => { outcomes.push(o); }, event: async () => undefined, nextBatch: () => 1 });
    expect(outcomes).toEqual([{ kind: 'failed', reason: expect.stringMatching(/^cannot move the integration branch caid\/r\/integration: it is checked out in /) }]);
    expect(git(dir, 'rev-parse', integrationBranch('r'))).toBe(base);
  });
});
