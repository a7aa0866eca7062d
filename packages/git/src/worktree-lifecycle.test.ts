import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitError, Repo, expectSpare, takeSpareWorktree } from './index.js';
import { git, initRepo, removeTempDirs, tempDir, write } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

describe('worktree lifecycle', () => {
  it('adds, lists, removes and prunes worktrees', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const base = (await repo.resolve('main'))!;
    const root = join(tempDir(), 'deep', 'worktrees');
    const a = await repo.addWorktree(join(root, 'run1', 'task-a'), { start: 'main', newBranch: 'caid/run1/tasks/task-a' });
    const b = await repo.addWorktree(join(root, 'run1', 'task-b'), { start: base, detach: true });
    expect(repo.worktree(a.path)).toBe(a);
    expect(await a.head()).toBe(base);
    expect(await b.head()).toBe(base);

    const list = await repo.listWorktrees();
    expect(list).toHaveLength(3);
    expect(list[0]).toMatchObject({ path: dir, branch: 'main', head: base, detached: false });
    expect(list.find((w) => w.path === a.path)).toMatchObject({ branch: 'caid/run1/tasks/task-a', head: base, detached: false });
    expect(list.find((w) => w.path === b.path)).toMatchObject({ head: base, detached: true });
    expect(list.find((w) => w.path === b.path)?.branch).toBeUndefined();

    write(a.path, 'dirty.txt', 'x');
    await expect(repo.removeWorktree(a.path)).rejects.toThrow(GitError);
    await repo.removeWorktree(a.path, { force: true });
    expect(existsSync(a.path)).toBe(false);
    expect(await repo.branchExists('caid/run1/tasks/task-a')).toBe(true); // nothing deletes branches

    rmSync(b.path, { recursive: true, force: true });
    expect((await repo.listWorktrees()).find((w) => w.path === b.path)?.prunable).toBeDefined();
    await repo.pruneWorktrees();
    expect((await repo.listWorktrees()).map((w) => w.path)).toEqual([dir]);
    const admin = join(repo.commonDir, 'worktrees');
    expect(existsSync(admin) ? readdirSync(admin) : []).toEqual([]);
    await expect(repo.removeWorktree(join(root, 'never'))).rejects.toThrow(GitError);
  });

  it('removeWorktree never takes the main work tree, a plain folder, or a worktree with changes', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    write(dir, 'mine.txt', 'uncommitted\n');
    await expect(repo.removeWorktree(dir)).rejects.toThrow(GitError);
    expect(readFileSync(join(dir, 'mine.txt'), 'utf8')).toBe('uncommitted\n');
    const plain = tempDir();
    write(plain, 'keep.txt', 'k\n');
    await expect(repo.removeWorktree(plain)).rejects.toThrow(`not a worktree of ${dir}`);
    expect(existsSync(join(plain, 'keep.txt'))).toBe(true);
    const wt = await repo.addWorktree(join(tempDir(), 'w'), { start: 'main', detach: true });
    write(wt.path, 'new.txt', 'untracked\n');
    await expect(repo.removeWorktree(wt.path)).rejects.toThrow(/modified or untracked/);
    expect(readFileSync(join(wt.path, 'new.txt'), 'utf8')).toBe('untracked\n');
    rmSync(join(wt.path, 'new.txt'));
    write(wt.path, 'README.md', 'changed\n');
    await expect(repo.removeWorktree(wt.path)).rejects.toThrow(GitError);
    expect(await repo.listWorktrees()).toHaveLength(2);
  });

  it('discardWorktree removes a clean linked worktree and leaves git an entry to prune; it refuses anything else', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    await expect(repo.discardWorktree(dir)).rejects.toThrow(/not a linked worktree/);
    const plain = tempDir();
    write(plain, '.git', 'gitdir: /elsewhere/worktrees/x\n');
    await expect(repo.discardWorktree(plain)).rejects.toThrow(/not a linked worktree/);
    expect(existsSync(join(plain, '.git'))).toBe(true);
    const dirty = await repo.addWorktree(join(tempDir(), 'dirty'), { start: 'main', newBranch: 'caid/r/tasks/dirty' });
    write(dirty.path, 'notes.txt', 'untracked\n');
    await expect(repo.discardWorktree(dirty.path)).rejects.toThrow(/uncommitted or untracked/);
    expect(readFileSync(join(dirty.path, 'notes.txt'), 'utf8')).toBe('untracked\n');
    const done = await repo.addWorktree(join(tempDir(), 'done'), { start: 'main', newBranch: 'caid/r/tasks/done' });
    write(done.path, 'work.txt', 'work\n');
    const commit = (await done.commitAll('work'))!;
    await repo.discardWorktree(done.path);
    expect(existsSync(done.path)).toBe(false);
    expect(readdirSync(dirname(done.path))).toEqual([]);
    expect((await repo.listWorktrees()).find((w) => w.path === done.path)?.prunable).toBeDefined();
    await repo.pruneWorktrees();
    expect((await repo.listWorktrees()).map((w) => w.path)).toEqual([dir, dirty.path]);
    expect(await repo.branchHead('caid/r/tasks/done')).toBe(commit);
  });

  it('parkWorktree moves a clean finished worktree aside; takeSpareWorktree gives it to a new task as a fresh checkout', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    write(dir, '.gitignore', 'build/\n');
    write(dir, 'keep.txt', 'v1\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'ignore build');
    const root = tempDir();
    const spares = join(root, 'run', '.spare');
    expect(await takeSpareWorktree(repo, spares, join(root, 'run', 'x'), { start: 'main', newBranch: 'caid/r/tasks/x' })).toBeNull();

    const done = await repo.addWorktree(join(root, 'run', 'a'), { start: 'main', newBranch: 'caid/r/tasks/a' });
    write(done.path, 'a.txt', 'a\n');
    const aCommit = (await done.commitAll('a'))!;
    write(done.path, 'build/out.js', 'built\n'); // ignored: a clean worktree may hold it
    const dirty = await repo.addWorktree(join(root, 'run', 'dirty'), { start: 'main', newBranch: 'caid/r/tasks/dirty' });
    write(dirty.path, 'keep.txt', 'edited\n');
    await expect(repo.parkWorktree(dirty.path, join(spares, 'dirty'))).rejects.toThrow(/uncommitted/);
    expect(readFileSync(join(dirty.path, 'keep.txt'), 'utf8')).toBe('edited\n');

    await repo.parkWorktree(done.path, join(spares, 'a'));
    expect(existsSync(done.path)).toBe(false);
    expect(readdirSync(spares)).toEqual(['a']);
    // The integration head moved on meanwhile.
    write(dir, 'keep.txt', 'v2\n');
    git(dir, 'commit', '-q', '-am', 'v2');
    const head = git(dir, 'rev-parse', 'HEAD');

    const b = await takeSpareWorktree(repo, spares, join(root, 'run', 'b'), { start: head, newBranch: 'caid/r/tasks/b' });
    expect(b?.path).toBe(join(root, 'run', 'b'));
    expect(readdirSync(spares)).toEqual([]);
    expect(await b!.head()).toBe(head);
    expect(git(b!.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('caid/r/tasks/b');
    expect((await b!.status()).clean).toBe(true);
    expect(readFileSync(join(b!.path, 'keep.txt'), 'utf8')).toBe('v2\n');
    expect(existsSync(join(b!.path, 'a.txt'))).toBe(false);
    expect(existsSync(join(b!.path, 'build'))).toBe(false);
    expect(await repo.branchHead('caid/r/tasks/a')).toBe(aCommit);
    expect((await repo.listWorktrees()).map((w) => w.path).sort()).toEqual([dir, dirty.path, b!.path].sort());

    // A spare that is no worktree any more is thrown away and the caller makes a new one.
    write(join(spares, 'stray'), 'file.txt', 'x\n');
    expect(await takeSpareWorktree(repo, spares, join(root, 'run', 'c'), { start: head, newBranch: 'caid/r/tasks/c' })).toBeNull();
    expect(readdirSync(spares)).toEqual([]);
    // An existing branch is checked out as it is.
    await repo.parkWorktree(b!.path, join(spares, 'b'));
    const again = await takeSpareWorktree(repo, spares, join(root, 'run', 'a'), { start: 'caid/r/tasks/a', branch: 'caid/r/tasks/a' });
    expect(await again!.head()).toBe(aCommit);
    expect(readFileSync(join(again!.path, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('takeSpareWorktree waits for a worktree announced as about to be parked, and only for that', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const root = tempDir();
    const spares = join(root, 'run', '.spare');
    const done = await repo.addWorktree(join(root, 'run', 'a'), { start: 'main', newBranch: 'caid/r/tasks/a' });
    write(done.path, 'a.txt', 'a\n');
    await done.commitAll('a');

    // Nothing announced: no spare, no wait.
    expect(await takeSpareWorktree(repo, spares, join(root, 'run', 'x'), { start: 'main', newBranch: 'caid/r/tasks/x', waitMs: 60_000 })).toBeNull();
    // Announced and then not parked (its merge failed): the taker stops waiting at once.
    const never = expectSpare(spares);
    const none = takeSpareWorktree(repo, spares, join(root, 'run', 'x'), { start: 'main', newBranch: 'caid/r/tasks/x', waitMs: 60_000 });
    never();
    expect(await none).toBeNull();
    // Announced and parked while the taker waits: it gets that worktree.
    const parked = expectSpare(spares);
    const taking = takeSpareWorktree(repo, spares, join(root, 'run', 'b'), { start: 'main', newBranch: 'caid/r/tasks/b', waitMs: 60_000 });
    await repo.parkWorktree(done.path, join(spares, 'a'));
    parked();
    const b = await taking;
    expect(b?.path).toBe(join(root, 'run', 'b'));
    expect(existsSync(join(b!.path, 'a.txt'))).toBe(false);
    expect(git(b!.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('caid/r/tasks/b');
  });

  it('a listing taken while this process adds worktrees never fails on a half-made admin dir', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const root = join(tempDir(), 'wt');
    // git fails `worktree list` ("failed to read .git/worktrees/<name>/commondir") while an add has
    // made the admin dir but not its files: the integration worktree is now added while tasks run.
    let adding = true;
    const listing = async (): Promise<number> => {
      let n = 0;
      for (; adding; n++) await repo.listWorktrees();
      return n;
    };
    const lists = [listing(), listing(), listing()];
    for (let i = 0; i < 30; i++) await repo.addWorktree(join(root, `t${i}`), { start: 'main', detach: true });
    adding = false;
    expect((await Promise.all(lists)).every((n) => n > 0)).toBe(true);
    expect(await repo.listWorktrees()).toHaveLength(31);
  });

  it('removeWorktree of a directory already deleted prunes it', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    const wt = await repo.addWorktree(join(tempDir(), 'w'), { start: 'main', detach: true });
    rmSync(wt.path, { recursive: true, force: true });
    await repo.removeWorktree(wt.path);
    expect(await repo.listWorktrees()).toHaveLength(1);
    await expect(wt.head()).rejects.toThrow(GitError);
  });

  it('fails with GitError when the branch already exists or is checked out', async () => {
    const dir = initRepo();
    const repo = await Repo.open(dir);
    await expect(repo.addWorktree(join(tempDir(), 'w'), { start: 'main' })).rejects.toThrow(/already checked out/);
    await expect(repo.addWorktree(join(tempDir(), 'w'), { start: 'main', newBranch: 'main' })).rejects.toThrow(GitError);
  });
});

