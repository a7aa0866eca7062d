import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '@caid/git';

/**
 * Red team: an agent (without bwrap, or before its round is sandboxed) rewrites its worktree's
 * `.git` file to point at a repository it made, armed with core.fsmonitor, a hooks path, a
 * pre-commit hook and a clean filter that an in-tree `.gitattributes` asks for. caid's git uses
 * the git dir it recorded (the admin dir under the repository's .git/worktrees), so none of it
 * runs and the commit lands on the task's real branch.
 */
let base: string;
let repoDir: string;
let marker: string;
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8' }).trim();

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-redteam-gitdir-')));
  repoDir = path.join(base, 'repo');
  marker = path.join(base, 'planted-ran');
  mkdirSync(repoDir);
  git(repoDir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(repoDir, 'a.txt'), 'a\n');
  git(repoDir, 'add', '-A');
  git(repoDir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function plantEvilRepo(worktree: string): string {
  git(worktree, 'init', '-q', '--separate-git-dir', path.join(base, `evil-${path.basename(worktree)}`), path.join(base, `evil-wt-${path.basename(worktree)}`));
  const evilDir = path.join(base, `evil-${path.basename(worktree)}`);
  const script = path.join(base, 'evil.sh');
  writeFileSync(script, `#!/bin/sh\ntouch ${marker}\ncat\n`, { mode: 0o755 });
  mkdirSync(path.join(evilDir, 'hooks'), { recursive: true });
  writeFileSync(path.join(evilDir, 'hooks', 'pre-commit'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  git(base, `--git-dir=${evilDir}`, 'config', 'core.fsmonitor', script);
  git(base, `--git-dir=${evilDir}`, 'config', 'filter.evil.clean', script);
  git(base, `--git-dir=${evilDir}`, 'config', 'filter.evil.smudge', script);
  git(base, `--git-dir=${evilDir}`, 'config', 'diff.evil.textconv', script);
  writeFileSync(path.join(worktree, '.gitattributes'), '* filter=evil diff=evil\n');
  writeFileSync(path.join(worktree, '.git'), `gitdir: ${evilDir}\n`);
  return evilDir;
}

describe("caid's git on a worktree whose .git file the agent repointed", () => {
  it('commits to the task branch through the recorded git dir and runs nothing the agent planted', async () => {
    const repo = await Repo.open(repoDir);
    const wtPath = path.join(base, 'wts', 'task-a');
    const wt = await repo.addWorktree(wtPath, { start: 'main', newBranch: 'caid/r/tasks/a' });
    writeFileSync(path.join(wtPath, 'work.txt'), 'agent work\n');
    const evilDir = plantEvilRepo(wtPath);

    const st = await wt.status();
    expect(st.clean).toBe(false);
    const commit = await wt.commitAll('agent work');
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(repoDir, 'rev-parse', 'caid/r/tasks/a')).toBe(commit);
    expect(git(repoDir, 'show', `${commit}:work.txt`)).toBe('agent work');
    expect(await wt.diffStat('main', commit!)).toEqual(expect.arrayContaining([expect.objectContaining({ file: 'work.txt' })]));
    expect(existsSync(marker)).toBe(false);
    // The planted repository got nothing.
    expect(execFileSync('git', [`--git-dir=${evilDir}`, 'rev-list', '--all'], { encoding: 'utf8' })).toBe('');
    // The `.git` file is caid's concern, never part of the commit.
    expect(git(repoDir, 'ls-tree', '--name-only', commit!)).not.toMatch(/^\.git$/m);
  });

  it('a worktree whose admin dir is gone fails with a clear GitError instead of trusting .git', async () => {
    const repo = await Repo.open(repoDir);
    const wtPath = path.join(base, 'wts', 'task-b');
    const wt = await repo.addWorktree(wtPath, { start: 'main', newBranch: 'caid/r/tasks/b' });
    const admin = repo.recordedGitDir(wtPath)!;
    expect(readFileSync(path.join(wtPath, '.git'), 'utf8')).toContain(admin);
    rmSync(admin, { recursive: true, force: true });
    await expect(wt.status()).rejects.toThrow(/no longer a registered git worktree/);
    expect(existsSync(marker)).toBe(false);
  });
});
