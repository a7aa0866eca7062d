import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spareWorktrees, taskBranch, type RunState } from '@caid/core';
import { Repo } from '@caid/git';
import { cleanupRun, removeScratch, worktreeRetirer } from './cleanup-run.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LANG: 'C', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@localhost' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: 'pipe' }).trim();
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));
const listed = (dir: string) => git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));

/** A repository and run r1 with one committed worktree per task id, as merged tasks leave them. */
async function fixture(ids: string[]) {
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-cleanup-')));
  const dir = path.join(root, 'repo');
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'base.txt'), 'base\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const worktreeRoot = path.join(root, 'wt');
  for (const id of ids) {
    const wt = path.join(worktreeRoot, 'r1', id);
    git(dir, 'worktree', 'add', '-q', '-b', taskBranch('r1', id), wt, 'main');
    writeFileSync(path.join(wt, `${id}.txt`), `${id}\n`);
    git(wt, 'add', '-A');
    git(wt, 'commit', '-q', '-m', id);
  }
  return { dir, worktreeRoot, repo: await Repo.open(dir) };
}

describe('worktreeRetirer', () => {
  it('parks up to `keep` merged worktrees (detached), discards the rest, and never touches one with changes', async () => {
    const { dir, worktreeRoot, repo } = await fixture(['a', 'b', 'c', 'd']);
    writeFileSync(path.join(worktreeRoot, 'r1', 'd', 'notes.txt'), 'mine\n');
    const retirer = worktreeRetirer(repo, worktreeRoot, 'r1', { keep: 2 });
    for (const id of ['a', 'b', 'c', 'd']) retirer.retire(id);
    await retirer.settled();
    const spares = spareWorktrees(worktreeRoot, 'r1');
    expect(readdirSync(spares).sort()).toEqual(['a', 'b']);
    for (const id of ['a', 'b', 'c']) expect(existsSync(path.join(worktreeRoot, 'r1', id))).toBe(false);
    expect(git(path.join(spares, 'a'), 'status', '--porcelain=v2', '--branch')).toContain('# branch.head (detached)');
    expect(existsSync(path.join(worktreeRoot, 'r1', 'd', 'notes.txt'))).toBe(true);
    await repo.pruneWorktrees();
    expect(listed(dir).sort()).toEqual([dir, path.join(spares, 'a'), path.join(spares, 'b'), path.join(worktreeRoot, 'r1', 'd')].sort());
    for (const id of ['a', 'b', 'c', 'd']) expect(git(dir, 'rev-parse', taskBranch('r1', id))).toMatch(/^[0-9a-f]{40}$/);

    // The end of the run removes the spares and their folder; the worktree with changes stays.
    const state = { runId: 'r1', worktreeRoot, order: ['a', 'b', 'c', 'd'], tasks: { a: { status: 'merged' }, b: { status: 'merged' }, c: { status: 'merged' }, d: { status: 'merged' } } } as unknown as RunState;
    await cleanupRun(repo, state, [path.join(worktreeRoot, 'r1', '_integration')]);
    expect(existsSync(spares)).toBe(false);
    expect(listed(dir)).toEqual([dir, path.join(worktreeRoot, 'r1', 'd')]);
    // The run's folder stays while it holds something (d), and goes once it is empty.
    expect(existsSync(path.join(worktreeRoot, 'r1'))).toBe(true);
    git(dir, 'worktree', 'remove', '--force', path.join(worktreeRoot, 'r1', 'd'));
    await cleanupRun(repo, state, []);
    expect(existsSync(path.join(worktreeRoot, 'r1'))).toBe(false);
  });

  it('settledFor(task) waits for that task\'s retirement only, and at once for a task with none', async () => {
    const { worktreeRoot, repo } = await fixture(['a', 'b']);
    const retirer = worktreeRetirer(repo, worktreeRoot, 'r1', { keep: 0 });
    retirer.retire('a');
    // Started, not finished: the folder is there (or being renamed aside) right after retire().
    await retirer.settledFor('a');
    expect(existsSync(path.join(worktreeRoot, 'r1', 'a'))).toBe(false);
    expect(readdirSync(path.join(worktreeRoot, 'r1')).filter((n) => n.startsWith('a.'))).toEqual([]);
    await retirer.settledFor('b');
    expect(existsSync(path.join(worktreeRoot, 'r1', 'b'))).toBe(true);
  });
});

describe('removeScratch', () => {
  it('removes a task\'s TMPDIR and leaves no empty scratch folders behind; kept prompt files keep theirs', () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'caid-scratch-'));
    const scratch = path.join(root, 'r1', '.scratch');
    mkdirSync(path.join(scratch, 'a', 'tmp'), { recursive: true });
    mkdirSync(path.join(scratch, 'a', 'home'), { recursive: true });
    writeFileSync(path.join(scratch, 'a', 'tmp', 'cache'), 'x');
    mkdirSync(path.join(scratch, 'b', 'tmp'), { recursive: true });
    writeFileSync(path.join(scratch, 'b', 'prompt.md'), 'the prompt');
    removeScratch(root, 'r1', 'b', 'tmp');
    expect(readdirSync(path.join(scratch, 'b'))).toEqual(['prompt.md']);
    removeScratch(root, 'r1', 'a', 'tmp');
    expect(readdirSync(scratch)).toEqual(['b']);
    removeScratch(root, 'r1', 'b');
    expect(existsSync(scratch)).toBe(false);
    expect(existsSync(path.join(root, 'r1'))).toBe(true);
  });
});
