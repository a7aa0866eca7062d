import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchRefs, openClone, placeWorktree, pushRefs } from './remote.js';
import { git, initRepo, read, removeTempDirs, tempDir, write } from './temp-repo.fixture.js';

afterAll(() => removeTempDirs());

describe('remote operations for distributed workers', () => {
  it('clones once, fetches branches into tracking refs, and pushes a task branch back', async () => {
    const origin = initRepo();
    const base = git(origin, 'rev-parse', 'HEAD');
    git(origin, 'branch', 'caid/r1/integration', base);
    const dir = join(tempDir(), 'clones', 'origin-1');
    const clone = await openClone(origin, dir);
    expect(await openClone(origin, dir)).toBeDefined(); // a second open reuses the clone
    expect(existsSync(join(dir, 'README.md'))).toBe(false); // no checkout: work happens in worktrees
    await fetchRefs(clone, origin, ['+refs/heads/caid/r1/*:refs/remotes/caid/r1/*']);
    expect(await clone.resolve('refs/remotes/caid/r1/integration')).toBe(base);

    const wtDir = join(tempDir(), 'wt', 'a');
    const wt = await placeWorktree(clone, wtDir, 'caid/r1/tasks/a', base);
    write(wt.path, 'a.txt', 'a\n');
    const commit = await wt.commitAll('a');
    await pushRefs(clone, origin, ['+refs/heads/caid/r1/tasks/a:refs/heads/caid/r1/tasks/a']);
    expect(git(origin, 'rev-parse', 'caid/r1/tasks/a')).toBe(commit);
  });

  it('placing an existing worktree again resets it: a crashed attempt leaves neither commits nor files behind', async () => {
    const origin = initRepo();
    const base = git(origin, 'rev-parse', 'HEAD');
    const clone = await openClone(origin, join(tempDir(), 'c'));
    const wtDir = join(tempDir(), 'wt', 'b');
    const wt = await placeWorktree(clone, wtDir, 'caid/r1/tasks/b', base);
    write(wt.path, 'half.txt', 'half done\n');
    await wt.commitAll('half');
    write(wt.path, 'README.md', 'scribbled\n');
    write(wt.path, 'untracked.txt', 'junk\n');

    const again = await placeWorktree(clone, wtDir, 'caid/r1/tasks/b', base);
    expect(await again.head()).toBe(base);
    expect((await again.status()).clean).toBe(true);
    expect(existsSync(join(wtDir, 'half.txt'))).toBe(false);
    expect(read(wtDir, 'README.md')).not.toContain('scribbled');
    expect(await clone.resolve('caid/r1/tasks/b')).toBe(base);
  });

  it('a branch left without its worktree (directory deleted) is reset when the worktree is placed again', async () => {
    const origin = initRepo();
    const base = git(origin, 'rev-parse', 'HEAD');
    const clone = await openClone(origin, join(tempDir(), 'c'));
    const wtDir = join(tempDir(), 'wt', 'c');
    const wt = await placeWorktree(clone, wtDir, 'caid/r1/tasks/c', base);
    write(wt.path, 'x.txt', 'x\n');
    await wt.commitAll('x');
    rmSync(wtDir, { recursive: true, force: true });
    const again = await placeWorktree(clone, wtDir, 'caid/r1/tasks/c', base);
    expect(await again.head()).toBe(base);
  });
});
