import { chmodSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitError, Repo, type Worktree } from './index.js';
import { git, initRepo, read, removeTempDirs, tempDir, write } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

/** Repo with an integration worktree (detached) and a task worktree on its own branch, both at main. */
async function setup() {
  const dir = initRepo();
  write(dir, 'shared.txt', 'one\ntwo\nthree\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'shared');
  const repo = await Repo.open(dir);
  const base = (await repo.resolve('main'))!;
  const wts = tempDir();
  const integ = await repo.addWorktree(join(wts, 'integration'), { start: base, detach: true });
  const task = await repo.addWorktree(join(wts, 'task'), { start: base, newBranch: 'caid/r/tasks/t' });
  return { dir, repo, base, integ, task };
}

/** Checked on disk, independently of the code under test. */
function mergeHead(wt: Worktree): boolean {
  return existsSync(resolve(wt.path, git(wt.path, 'rev-parse', '--git-path', 'MERGE_HEAD')));
}

describe('merge', () => {
  it('clean merge → {ok, commit} with two parents and the message', async () => {
    const { repo, integ, task } = await setup();
    write(task.path, 'task.txt', 'task\n');
    const taskHead = (await task.commitAll('task work'))!;
    write(integ.path, 'other.txt', 'other\n');
    const integHead = (await integ.commitAll('other work'))!;
    const r = await integ.merge('caid/r/tasks/t', 'Merge task t');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(await integ.head()).toBe(r.commit);
    const [entry] = await repo.log(r.commit, { maxCount: 1 });
    expect(entry).toEqual({ sha: r.commit, subject: 'Merge task t', parents: [integHead, taskHead] });
    expect(git(integ.path, 'log', '-1', '--format=%an <%ae>')).toBe('caid <caid@localhost>');
    expect((await integ.status()).clean).toBe(true);
  });

  it('conflict → listed, left in progress; abortMerge restores head and a clean tree', async () => {
    const { integ, task } = await setup();
    write(task.path, 'shared.txt', 'one\nTASK\nthree\n');
    write(task.path, 'only-task.txt', 'x\n');
    await task.commitAll('task edits shared');
    write(integ.path, 'shared.txt', 'one\nINTEG\nthree\n');
    const before = (await integ.commitAll('integ edits shared'))!;
    const r = await integ.merge('caid/r/tasks/t', 'Merge task t');
    expect(r).toEqual({ ok: false, conflicts: ['shared.txt'] });
    expect(mergeHead(integ)).toBe(true);
    expect(await integ.mergeInProgress()).toBe(true);
    expect((await integ.status()).conflicted).toEqual(['shared.txt']);
    expect(await integ.filesWithConflictMarkers(['shared.txt', 'only-task.txt'])).toEqual(['shared.txt']);
    await expect(integ.merge('caid/r/tasks/t', 'again')).rejects.toThrow(/already in progress/);

    await integ.abortMerge();
    expect(await integ.mergeInProgress()).toBe(false);
    expect(mergeHead(integ)).toBe(false);
    expect(await integ.head()).toBe(before);
    expect(await integ.status()).toEqual({ clean: true, changed: [], conflicted: [] });
    await integ.abortMerge(); // nothing to abort: no-op
  });

  it('resolving a conflict then commitAll produces a two-parent merge commit', async () => {
    const { repo, integ, task } = await setup();
    write(integ.path, 'shared.txt', 'one\nINTEG\nthree\n');
    const integHead = (await integ.commitAll('integ edits shared'))!;
    write(task.path, 'shared.txt', 'one\nTASK\nthree\n');
    const taskHead = (await task.commitAll('task edits shared'))!;
    // the engineer who caused the conflict merges the integration head into its own branch
    const r = await task.merge(integHead, 'Merge integration into task');
    expect(r).toEqual({ ok: false, conflicts: ['shared.txt'] });
    expect(read(task.path, 'shared.txt')).toContain('<<<<<<< ');
    write(task.path, 'shared.txt', 'one\nTASK+INTEG\nthree\n');
    expect(await task.filesWithConflictMarkers(['shared.txt'])).toEqual([]);
    const sha = (await task.commitAll('Merge integration into task'))!;
    expect(await task.mergeInProgress()).toBe(false);
    const [entry] = await repo.log(sha, { maxCount: 1 });
    expect(entry).toEqual({ sha, subject: 'Merge integration into task', parents: [taskHead, integHead] });
    expect(await repo.resolve('caid/r/tasks/t')).toBe(sha);
    expect(await task.status()).toEqual({ clean: true, changed: [], conflicted: [] });
  });

  it('a non-conflict failure throws GitError with git’s message and leaves no merge', async () => {
    const { integ, task } = await setup();
    write(task.path, 'new.txt', 'from task\n');
    await task.commitAll('add new.txt');
    write(integ.path, 'new.txt', 'untracked here\n');
    const before = await integ.head();
    const err = await integ.merge('caid/r/tasks/t', 'Merge').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toMatch(/untracked working tree files would be overwritten/);
    expect(await integ.mergeInProgress()).toBe(false);
    expect(await integ.head()).toBe(before);
    expect(read(integ.path, 'new.txt')).toBe('untracked here\n');
    await expect(integ.merge('no-such-branch', 'Merge')).rejects.toThrow(GitError);
    expect(await integ.mergeInProgress()).toBe(false);
  });

  it('never runs a hook or fsmonitor planted in the repository: caid commits and merges anyway', async () => {
    const { dir, integ, task } = await setup();
    const marker = join(dir, '..', `planted-${Date.now()}`);
    write(dir, '.git/hooks/commit-msg', `#!/bin/sh\ntouch ${marker}\nexit 1\n`);
    chmodSync(join(dir, '.git/hooks/commit-msg'), 0o755);
    write(dir, 'fsmon.sh', `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(join(dir, 'fsmon.sh'), 0o755);
    git(dir, 'config', 'core.fsmonitor', join(dir, 'fsmon.sh'));
    write(task.path, 'task.txt', 'task\n');
    expect(await task.commitAll('task work')).toMatch(/^[0-9a-f]{40}$/);
    const merged = await integ.merge('caid/r/tasks/t', 'Merge');
    expect(merged.ok).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('worktree operations', () => {
  it('commitAll returns null when nothing changed and includes untracked files', async () => {
    const { integ } = await setup();
    expect(await integ.commitAll('nothing')).toBeNull();
    write(integ.path, 'dir/ü new.txt', 'n\n');
    expect(await integ.status()).toEqual({ clean: false, changed: ['dir/ü new.txt'], conflicted: [] });
    const sha = await integ.commitAll('new file');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await integ.commitAll('nothing again')).toBeNull();
    expect(await integ.head()).toBe(sha);
  });

  it('filesWithConflictMarkers finds markers but not a markdown `=======` line', async () => {
    const { integ } = await setup();
    write(integ.path, 'doc.md', 'Title\n=======\n\ntext\n');
    write(integ.path, 'half.txt', 'a\n>>>>>>> theirs\n');
    write(integ.path, 'inline.txt', 'a <<<<<<< not at line start\n');
    write(integ.path, 'c.txt', 'x\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n');
    const found = await integ.filesWithConflictMarkers(['doc.md', 'half.txt', 'inline.txt', 'c.txt', 'missing.txt', '../escape']);
    expect(found).toEqual(['half.txt', 'c.txt']);
  });

  it('resetHard restores the tree and removes untracked (not ignored) files', async () => {
    const { integ, base } = await setup();
    write(integ.path, '.gitignore', 'ignored.log\n');
    const withIgnore = (await integ.commitAll('ignore'))!;
    write(integ.path, 'extra.txt', 'e\n');
    await integ.commitAll('extra');
    write(integ.path, 'README.md', 'changed\n');
    write(integ.path, 'untracked/x.txt', 'u\n');
    write(integ.path, 'ignored.log', 'keep\n');
    await integ.resetHard(withIgnore);
    expect(await integ.head()).toBe(withIgnore);
    expect(await integ.status()).toEqual({ clean: true, changed: [], conflicted: [] });
    expect(existsSync(join(integ.path, 'untracked'))).toBe(false);
    expect(existsSync(join(integ.path, 'extra.txt'))).toBe(false);
    expect(read(integ.path, 'ignored.log')).toBe('keep\n');
    await integ.resetHard(base);
    expect(await integ.head()).toBe(base);
  });

  it('diffStat lists files with insertions and deletions', async () => {
    const { integ, base } = await setup();
    write(integ.path, 'shared.txt', 'one\nTWO\nthree\nfour\n');
    write(integ.path, 'a b.txt', 'x\ny\n');
    git(integ.path, 'rm', '-q', 'README.md');
    const head = (await integ.commitAll('edits'))!;
    const stats = await integ.diffStat(base, head);
    expect(stats.sort((x, y) => (x.file < y.file ? -1 : 1))).toEqual([
      { file: 'README.md', insertions: 0, deletions: 1 },
      { file: 'a b.txt', insertions: 2, deletions: 0 },
      { file: 'shared.txt', insertions: 2, deletions: 1 },
    ]);
    expect(await integ.diffStat(head, head)).toEqual([]);
  });
});
