import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { integrationBranch } from '@caid/core';
import { Repo } from '@caid/git';
import { integrationWorktree } from './integration-worktree.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LANG: 'C', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@localhost' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: 'pipe' }).trim();
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A repository with run `r1`'s integration branch one commit ahead of `main`. */
async function fixture() {
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-integration-wt-')));
  const dir = path.join(root, 'repo');
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'a.txt'), 'a\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const base = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', integrationBranch('r1'));
  writeFileSync(path.join(dir, 'b.txt'), 'b\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'merged work');
  const head = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', 'main');
  const setups: string[] = [];
  const integration = integrationWorktree(await Repo.open(dir), { runId: 'r1', worktreeRoot: path.join(root, 'wt'), setup: async (d) => { setups.push(d); } });
  return { dir, base, head, setups, integration };
}
const listed = (dir: string) => git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));

describe('integrationWorktree', () => {
  it('is checked out on the first call only, at the integration head, with setup run once', async () => {
    const { dir, base, head, setups, integration } = await fixture();
    expect(integration.path).toBe(path.join(root, 'wt', 'r1', '_integration'));
    expect(existsSync(integration.path)).toBe(false);
    const [one, two] = await Promise.all([integration.at(), integration.at()]);
    expect(one).toBe(two);
    expect(git(one.path, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(one.path, 'status', '--porcelain', '--branch')).toBe('## HEAD (no branch)');
    expect(setups).toEqual([integration.path]);
    // elsewhere or dirty: put back where it is asked to be
    writeFileSync(path.join(one.path, 'b.txt'), 'changed\n');
    expect(git((await integration.at(base)).path, 'rev-parse', 'HEAD')).toBe(base);
    expect(existsSync(path.join(one.path, 'b.txt'))).toBe(false);
    await integration.at();
    expect(git(one.path, 'status', '--porcelain')).toBe('');
    expect(git(one.path, 'rev-parse', 'HEAD')).toBe(head);
    expect(setups).toHaveLength(1);
    expect(listed(dir)).toEqual([dir, integration.path]);
  });

  it('on resume: a leftover worktree is repaired (half-done merge aborted) and kept, without setup', async () => {
    const { dir, base, head, setups, integration } = await fixture();
    git(dir, 'worktree', 'add', '-q', '--detach', integration.path, head);
    git(dir, 'branch', 'other', base);
    git(dir, 'checkout', '-q', 'other');
    writeFileSync(path.join(dir, 'b.txt'), 'conflicting\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'other');
    git(dir, 'checkout', '-q', 'main');
    // killed mid-merge: an add/add conflict left in progress
    expect(() => git(integration.path, 'merge', '--no-edit', 'other')).toThrow();
    expect(git(integration.path, 'rev-parse', '--verify', 'MERGE_HEAD')).toMatch(/^[0-9a-f]{40}$/);
    const wt = await integration.at();
    expect(wt.path).toBe(integration.path);
    expect(await wt.mergeInProgress()).toBe(false);
    expect(git(wt.path, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(wt.path, 'status', '--porcelain')).toBe('');
    expect(setups).toEqual([]);
  });

  it('on resume: a folder git forgot is moved aside, and a registered but deleted one is pruned, then it is added again', async () => {
    const { dir, head, setups, integration } = await fixture();
    mkdirSync(integration.path, { recursive: true });
    writeFileSync(path.join(integration.path, 'notes.txt'), 'someone\'s notes\n');
    expect(git((await integration.at()).path, 'rev-parse', 'HEAD')).toBe(head);
    const aside = readdirSync(path.dirname(integration.path)).filter((n) => n.startsWith('_integration.orphan-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(path.join(path.dirname(integration.path), aside[0]!))).toEqual(['notes.txt']);

    rmSync(integration.path, { recursive: true, force: true });
    const again = integrationWorktree(await Repo.open(dir), { runId: 'r1', worktreeRoot: path.join(root, 'wt'), setup: async (d) => { setups.push(d); } });
    expect(git((await again.at()).path, 'rev-parse', 'HEAD')).toBe(head);
    expect(listed(dir)).toEqual([dir, integration.path]);
    expect(setups).toEqual([integration.path, integration.path]);
  });
});
