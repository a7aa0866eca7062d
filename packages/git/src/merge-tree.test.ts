import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitError, Repo } from './index.js';
import { git, initRepo, removeTempDirs, tempDir, write } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

const BINARY = (n: number) => Buffer.from([0, 1, 2, 3, 255, 254, n, 0, 10, n]);

/** A repository whose `main` has text and binary files; `ours` and `theirs` change it by `edit`. */
async function sides(edit: { ours: (dir: string) => void; theirs: (dir: string) => void }) {
  const dir = initRepo();
  write(dir, 'shared.txt', 'one\ntwo\nthree\nfour\nfive\nsix\n');
  write(dir, 'gone.txt', 'keep me\n');
  writeFileSync(join(dir, 'image.bin'), BINARY(1));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const commitOn = (branch: string, change: (d: string) => void) => {
    git(dir, 'checkout', '-q', '-b', branch, 'main');
    change(dir);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', branch);
    return git(dir, 'rev-parse', 'HEAD');
  };
  const ours = commitOn('ours', edit.ours);
  const theirs = commitOn('theirs', edit.theirs);
  git(dir, 'checkout', '-q', 'main');
  return { dir, repo: await Repo.open(dir), ours, theirs };
}

/** What `git merge --no-ff` of `theirs` into a detached worktree at `ours` gives: tree or conflicted paths. */
function worktreeMerge(dir: string, ours: string, theirs: string) {
  const wt = join(tempDir(), 'wt');
  git(dir, 'worktree', 'add', '-q', '--detach', wt, ours);
  try {
    git(wt, 'merge', '--no-ff', '--no-edit', '-m', 'reference merge', theirs);
    return { tree: git(wt, 'rev-parse', 'HEAD^{tree}'), message: git(wt, 'log', '-1', '--format=%B') };
  } catch {
    return { conflicts: git(wt, 'diff', '--name-only', '--diff-filter=U').split('\n').filter(Boolean) };
  }
}

describe('mergeTree without a work tree', () => {
  it('a clean merge gives the tree `git merge --no-ff` gives, and commitTree makes the two-parent merge commit', async () => {
    const { dir, repo, ours, theirs } = await sides({
      ours: (d) => { write(d, 'shared.txt', 'ONE\ntwo\nthree\nfour\nfive\nsix\n'); writeFileSync(join(d, 'image.bin'), BINARY(2)); },
      theirs: (d) => { write(d, 'shared.txt', 'one\ntwo\nthree\nfour\nfive\nSIX\n'); write(d, 'dir/new.txt', 'new\n'); writeFileSync(join(d, 'other.bin'), BINARY(3)); },
    });
    const refsBefore = git(dir, 'for-each-ref');
    const merged = await repo.mergeTree(ours, theirs);
    const reference = worktreeMerge(dir, ours, theirs);
    expect(merged).toEqual({ ok: true, tree: reference.tree });
    if (!merged.ok) return;
    expect(git(dir, 'show', `${merged.tree}:shared.txt`)).toBe('ONE\ntwo\nthree\nfour\nfive\nSIX');

    const message = 'caid: merge task t (Add things)';
    const commit = await repo.commitTree(merged.tree, [ours, theirs], message);
    const [entry] = await repo.log(commit, { maxCount: 1 });
    expect(entry).toEqual({ sha: commit, subject: message, parents: [ours, theirs] });
    expect(git(dir, 'log', '-1', '--format=%B', commit)).toBe(message);
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', commit)).toBe('caid <caid@localhost>|caid <caid@localhost>');
    expect(git(dir, 'rev-parse', `${commit}^{tree}`)).toBe(reference.tree);
    // Only objects were written: no ref moved, the main work tree and index are as they were.
    expect(git(dir, 'for-each-ref')).toBe(refsBefore);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(git(dir, 'rev-parse', 'main'));
    expect(existsSync(join(dir, '.git', 'MERGE_HEAD'))).toBe(false);
  });

  it('content, modify/delete, add/add and binary conflicts list the paths a worktree merge lists', async () => {
    const { dir, repo, ours, theirs } = await sides({
      ours: (d) => {
        write(d, 'shared.txt', 'one\nOURS\nthree\nfour\nfive\nsix\n');
        write(d, 'gone.txt', 'edited by ours\n');
        write(d, 'both.txt', 'added by ours\n');
        writeFileSync(join(d, 'image.bin'), BINARY(2));
        write(d, 'only-ours.txt', 'fine\n');
      },
      theirs: (d) => {
        write(d, 'shared.txt', 'one\nTHEIRS\nthree\nfour\nfive\nsix\n');
        git(d, 'rm', '-q', 'gone.txt');
        write(d, 'both.txt', 'added by theirs\n');
        writeFileSync(join(d, 'image.bin'), BINARY(3));
        write(d, 'only-theirs.txt', 'fine\n');
      },
    });
    const merged = await repo.mergeTree(ours, theirs);
    expect(merged).toEqual({ ok: false, conflicts: ['both.txt', 'gone.txt', 'image.bin', 'shared.txt'] });
    expect(worktreeMerge(dir, ours, theirs)).toEqual({ conflicts: ['both.txt', 'gone.txt', 'image.bin', 'shared.txt'] });
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('rename/delete and file/directory conflicts list the paths a worktree merge lists', async () => {
    const { dir, repo, ours, theirs } = await sides({
      ours: (d) => { git(d, 'rm', '-q', 'gone.txt'); write(d, 'dir/inside.txt', 'x\n'); },
      theirs: (d) => { git(d, 'mv', 'gone.txt', 'moved.txt'); write(d, 'dir', 'a file\n'); },
    });
    const reference = worktreeMerge(dir, ours, theirs);
    expect(reference.conflicts?.length).toBeGreaterThan(0);
    expect(await repo.mergeTree(ours, theirs)).toEqual({ ok: false, conflicts: reference.conflicts });
  });

  it('rejects what is not a commit, and an option-looking argument, with GitError', async () => {
    const { repo, ours } = await sides({ ours: (d) => write(d, 'o.txt', 'o\n'), theirs: (d) => write(d, 'x.txt', 'x\n') });
    await expect(repo.mergeTree(ours, 'no-such-branch')).rejects.toThrow(GitError);
    await expect(repo.mergeTree('--all', ours)).rejects.toThrow(GitError);
    await expect(repo.commitTree('0'.repeat(40), [ours], 'm')).rejects.toThrow(GitError);
  });
});
