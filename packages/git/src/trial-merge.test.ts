import { chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { trialMerge } from './index.js';
import { git, initRepo, read, removeTempDirs, write } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

/** `main` moved on by a merged task touching shared.txt; the worktree is a task branch from before it. */
function scene() {
  const dir = initRepo();
  write(dir, 'shared.txt', 'one\ntwo\nthree\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  git(dir, 'branch', 'task');
  git(dir, 'checkout', '-q', '-b', 'other');
  write(dir, 'shared.txt', 'one\nTWO (other)\nthree\n');
  git(dir, 'commit', '-qam', 'other work');
  git(dir, 'checkout', '-q', 'main');
  git(dir, 'merge', '--no-ff', '-q', '-m', 'caid: merge task other (Other)', 'other');
  git(dir, 'checkout', '-q', 'task');
  return { dir, main: git(dir, 'rev-parse', 'main') };
}

describe('trialMerge', () => {
  it('finds a conflict in uncommitted (and untracked) work and names the merged task, touching nothing', async () => {
    const { dir, main } = scene();
    write(dir, 'shared.txt', 'one\nTWO (task)\nthree\n');
    write(dir, 'new.txt', 'untracked\n');
    const status = git(dir, 'status', '--porcelain');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(await trialMerge(dir, main)).toEqual({ conflicts: ['shared.txt'], tasks: ['other'] });
    // The worktree, its index and its refs are as they were.
    expect(git(dir, 'status', '--porcelain')).toBe(status);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(read(dir, 'shared.txt')).toBe('one\nTWO (task)\nthree\n');
  });

  it('runs no program the agent planted in the repository config (fsmonitor, hooks)', async () => {
    const { dir, main } = scene();
    const marker = path.join(dir, '..', `planted-${path.basename(dir)}`);
    write(dir, 'evil.sh', `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(path.join(dir, 'evil.sh'), 0o755);
    git(dir, 'config', 'core.fsmonitor', path.join(dir, 'evil.sh'));
    git(dir, 'config', 'core.hooksPath', dir);
    write(dir, 'shared.txt', 'one\nTWO (task)\nthree\n');
    expect((await trialMerge(dir, main)).conflicts).toEqual(['shared.txt']);
    expect(existsSync(marker)).toBe(false);
  });

  it('reports nothing, cheaply, when nothing was merged since the task began', async () => {
    const { dir } = scene();
    write(dir, 'shared.txt', 'one\nTWO (task)\nthree\n');
    expect(await trialMerge(dir, git(dir, 'rev-parse', 'HEAD'))).toEqual({ conflicts: [], tasks: [] });
  });

  it('reports nothing when the work in progress merges cleanly', async () => {
    const { dir, main } = scene();
    write(dir, 'elsewhere.txt', 'mine\n');
    expect(await trialMerge(dir, main)).toEqual({ conflicts: [], tasks: [] });
  });

  it('sees a conflict between an untracked new file and one the merged task added', async () => {
    const { dir } = scene();
    git(dir, 'checkout', '-q', 'main');
    write(dir, 'added.txt', 'from main\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'caid: merge task adder');
    const main = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', 'task');
    write(dir, 'added.txt', 'from the task\n');
    expect(await trialMerge(dir, main)).toEqual({ conflicts: ['added.txt'], tasks: ['adder'] });
  });
});
