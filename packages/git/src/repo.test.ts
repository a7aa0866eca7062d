import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitError, Repo, isGitRepo } from './index.js';
import { git, initRepo, removeTempDirs, tempDir, write } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

describe('Repo.open', () => {
  it('throws GitError outside a work tree and isGitRepo says false', async () => {
    const dir = tempDir();
    await expect(Repo.open(dir)).rejects.toThrow(GitError);
    await expect(Repo.open(dir)).rejects.toThrow(`not a git repository: ${dir}`);
    await expect(Repo.open(join(dir, 'missing'))).rejects.toThrow(GitError);
    expect(await isGitRepo(dir)).toBe(false);
    expect(await isGitRepo(join(dir, 'missing'))).toBe(false);
  });

  it('reports no commits on a fresh init', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q', '-b', 'main');
    expect(await isGitRepo(dir)).toBe(true);
    const repo = await Repo.open(dir);
    expect(await repo.hasCommits()).toBe(false);
    expect(await repo.resolve('HEAD')).toBeNull();
  });

  it('finds the main work tree and common dir from a subdirectory and from a linked worktree', async () => {
    const dir = initRepo();
    write(dir, 'src/a.ts', 'a\n');
    const repo = await Repo.open(join(dir, 'src'));
    expect(repo.root).toBe(dir);
    expect(repo.commonDir).toBe(join(dir, '.git'));
    expect(await repo.hasCommits()).toBe(true);
    const wt = await repo.addWorktree(join(tempDir(), 'wts', 'one'), { start: 'main', detach: true });
    const again = await Repo.open(wt.path);
    expect(again.root).toBe(dir);
    expect(again.commonDir).toBe(repo.commonDir);
  });
});

describe('refs', () => {
  it('resolves refs, creates branches and refuses duplicates', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(await repo.resolve('main')).toBe(head);
    expect(await repo.resolve('nope')).toBeNull();
    expect(await repo.resolve('--all')).toBeNull();
    expect(await repo.branchExists('feature')).toBe(false);
    await repo.createBranch('feature', head);
    expect(await repo.branchExists('feature')).toBe(true);
    await expect(repo.createBranch('feature', head)).rejects.toThrow(GitError);
    await expect(repo.createBranch('-x', head)).rejects.toThrow(GitError);
  });

  it('updateBranch is a compare-and-swap', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const base = git(dir, 'rev-parse', 'HEAD');
    await repo.createBranch('caid/r1/integration', base);
    const wt = await repo.addWorktree(join(tempDir(), 'w'), { start: base, detach: true });
    write(wt.path, 'x.txt', 'x\n');
    const next = (await wt.commitAll('add x'))!;
    await repo.updateBranch('caid/r1/integration', next, base);
    expect(await repo.resolve('caid/r1/integration')).toBe(next);
    await expect(repo.updateBranch('caid/r1/integration', base, base)).rejects.toThrow(GitError);
    expect(await repo.resolve('caid/r1/integration')).toBe(next);
    await expect(repo.updateBranch('caid/r1/integration', 'no-such-ref', next)).rejects.toThrow(GitError);
    // the user's checked-out branch is never moved
    await expect(repo.updateBranch('main', next, base)).rejects.toThrow(/checked out/);
    expect(git(dir, 'rev-parse', 'main')).toBe(base);
  });

  it('updateBranch and deleteBranch refuse a branch checked out in a linked worktree, not its neighbours', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const base = git(dir, 'rev-parse', 'HEAD');
    await repo.createBranch('caid/r1/integration', base);
    await repo.createBranch('caid/r1/tasks/a-2', base);
    const wt = await repo.addWorktree(join(tempDir(), 'wts', 'a'), { start: base, newBranch: 'caid/r1/tasks/a' });
    write(wt.path, 'a.txt', 'a\n');
    const next = (await wt.commitAll('a'))!;
    await expect(repo.updateBranch('caid/r1/tasks/a', base, next)).rejects.toThrow(`refusing to move branch caid/r1/tasks/a: it is checked out in ${wt.path}`);
    await expect(repo.deleteBranch('caid/r1/tasks/a', next)).rejects.toThrow(/checked out in/);
    expect(git(dir, 'rev-parse', 'caid/r1/tasks/a')).toBe(next);
    // Branches with a similar name are free to move.
    await repo.updateBranch('caid/r1/tasks/a-2', next, base);
    await repo.updateBranch('caid/r1/integration', next, base);
    expect(await repo.resolve('caid/r1/integration')).toBe(next);
    // Not a commit: a branch never points at a tree.
    await expect(repo.updateBranch('caid/r1/integration', git(dir, 'rev-parse', `${next}^{tree}`), next)).rejects.toThrow(GitError);
    expect(await repo.resolve('caid/r1/integration')).toBe(next);
    // Once that worktree is gone the branch is free.
    await repo.removeWorktree(wt.path);
    await repo.updateBranch('caid/r1/tasks/a', base, next);
    expect(await repo.resolve('caid/r1/tasks/a')).toBe(base);
  });

  it('branchHead reads loose refs and falls back to git for packed or missing ones', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const base = git(dir, 'rev-parse', 'HEAD');
    await repo.createBranch('caid/r1/integration', base);
    expect(await repo.branchHead('caid/r1/integration')).toBe(base);
    git(dir, 'pack-refs', '--all');
    expect(existsSync(join(repo.commonDir, 'refs', 'heads', 'caid', 'r1', 'integration'))).toBe(false);
    expect(await repo.branchHead('caid/r1/integration')).toBe(base);
    expect(await repo.branchHead('caid/r1/missing')).toBeNull();
    expect(await repo.branchHead('../HEAD')).toBeNull();
    write(dir, 'b.txt', 'b\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'b');
    const next = git(dir, 'rev-parse', 'HEAD');
    await repo.updateBranch('caid/r1/integration', next, base);
    expect(await repo.branchHead('caid/r1/integration')).toBe(next);
  });

  it('isAncestor and log', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const base = (await repo.resolve('HEAD'))!;
    const wt = await repo.addWorktree(join(tempDir(), 'w'), { start: base, newBranch: 'topic' });
    write(wt.path, 'a.txt', 'a\n');
    const one = (await wt.commitAll('first: with  spaces'))!;
    write(wt.path, 'b.txt', 'b\n');
    const two = (await wt.commitAll('second'))!;
    expect(await repo.isAncestor(base, two)).toBe(true);
    expect(await repo.isAncestor(two, base)).toBe(false);
    expect(await repo.isAncestor(two, two)).toBe(true);
    await expect(repo.isAncestor('nope', two)).rejects.toThrow(GitError);
    expect(await repo.log(`${base}..topic`)).toEqual([
      { sha: two, subject: 'second', parents: [one] },
      { sha: one, subject: 'first: with  spaces', parents: [base] },
    ]);
    expect(await repo.log('topic', { maxCount: 1 })).toEqual([{ sha: two, subject: 'second', parents: [one] }]);
    expect(await repo.log(`topic..${base}`)).toEqual([]);
  });

  it('excludeLocally appends once and creates the file', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const file = join(repo.commonDir, 'info', 'exclude');
    rmSync(join(repo.commonDir, 'info'), { recursive: true, force: true });
    await Promise.all([repo.excludeLocally('.caid/'), repo.excludeLocally('.caid/')]);
    await repo.excludeLocally('.caid/');
    await repo.excludeLocally('*.log');
    expect(readFileSync(file, 'utf8')).toBe('.caid/\n*.log\n');
    write(dir, '.caid/runs/x', 'y');
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });
});

describe('branch listing and guarded deletion', () => {
  it('lists branches under a prefix, finds containing branches, and deletes only an unmoved, unchecked-out branch', async () => {
    const dir = initRepo();
    const head = git(dir, 'rev-parse', 'HEAD');
    const repo = await Repo.open(dir);
    await repo.createBranch('caid/r1/tasks/x', head);
    await repo.createBranch('caid/r1/integration', head);
    await repo.createBranch('caid/r2/integration', head);
    expect((await repo.listBranches('caid/r1/')).map((b) => b.name).sort()).toEqual(['caid/r1/integration', 'caid/r1/tasks/x']);
    expect((await repo.branchesContaining(head)).sort()).toEqual(['caid/r1/integration', 'caid/r1/tasks/x', 'caid/r2/integration', 'main']);
    await expect(repo.deleteBranch('caid/r1/tasks/x', '0'.repeat(40))).rejects.toThrow();
    await expect(repo.deleteBranch('main', head)).rejects.toThrow(/checked out/);
    await repo.deleteBranch('caid/r1/tasks/x', head);
    expect(await repo.branchExists('caid/r1/tasks/x')).toBe(false);
  });
});
