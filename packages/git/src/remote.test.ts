import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteRemoteRefs, fetchRefs, listRemoteRefs, openClone, placeWorktree, pushRefs } from './remote.js';
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

  it('forced pushes of one new ref from many clones at once all succeed: a lost ref-lock race is tried again', async () => {
    const origin = initRepo();
    const base = git(origin, 'rev-parse', 'HEAD');
    const clones = await Promise.all([1, 2, 3, 4, 5, 6].map(async (n) => {
      const clone = await openClone(origin, join(tempDir(), `c${n}`));
      const wt = await placeWorktree(clone, join(tempDir(), 'wt', `t${n}`), 'caid/r1/tasks/t', base);
      write(wt.path, 'who.txt', `clone ${n}\n`);
      return { clone, commit: await wt.commitAll(`clone ${n}`) };
    }));
    // Several rounds, each racing for a ref nobody has created yet (the case git reports as
    // "reference already exists"), plus a per-commit ref that never races.
    for (const round of [1, 2, 3]) {
      const ref = `refs/heads/caid/r${round}/tasks/t`;
      await Promise.all(clones.map(({ clone, commit }) => pushRefs(clone, origin, [`+refs/heads/caid/r1/tasks/t:${ref}`, `${commit}:refs/caid/r${round}/commits/${commit}`])));
      expect(clones.map((c) => c.commit)).toContain(git(origin, 'rev-parse', ref));
    }
    const listed = await listRemoteRefs(clones[0]!.clone, origin, 'refs/caid/r2/commits/*');
    expect(listed.sort()).toEqual(clones.map((c) => `refs/caid/r2/commits/${c.commit}`).sort());
    await deleteRemoteRefs(clones[0]!.clone, origin, listed);
    expect(await listRemoteRefs(clones[0]!.clone, origin, 'refs/caid/r2/commits/*')).toEqual([]);
    expect(await listRemoteRefs(clones[0]!.clone, origin, 'refs/caid/r3/commits/*')).toHaveLength(6);
  });

  it('a push refused for good (a ref in the way of the new one) fails, naming the ref', async () => {
    const origin = initRepo();
    const base = git(origin, 'rev-parse', 'HEAD');
    const clone = await openClone(origin, join(tempDir(), 'c'));
    git(origin, 'branch', 'caid/r1/tasks/x', base);
    // refs/heads/caid/r1/tasks/x exists, so refs/heads/caid/r1/tasks/x/y can never be created.
    await expect(pushRefs(clone, origin, [`${base}:refs/heads/caid/r1/tasks/x/y`])).rejects.toThrow(/tasks\/x\/y/);
  });
});
