import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Repo } from '@caid/git';
import { repairWorktree } from './repair-worktree.js';

const dirs: string[] = [];
const temp = () => { const d = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'caid-repair-'))); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const git = (cwd: string, ...a: string[]) => execFileSync('git', a, { cwd, env: { PATH: process.env.PATH!, HOME: cwd } }).toString().trim();

/** A repository and a task worktree left detached, as a take-over killed between its move and its checkout leaves it. */
async function detachedTaskWorktree() {
  const dir = temp();
  writeFileSync(path.join(dir, 'a.txt'), 'a\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-qm', 'init');
  const repo = await Repo.open(dir);
  const wtDir = path.join(temp(), 'run', 'task');
  await repo.addWorktree(wtDir, { start: 'main', detach: true });
  return { dir, repo, wtDir };
}

describe('repairWorktree', () => {
  it('removes a task worktree on no branch (a take-over cut short) so the round makes it afresh', async () => {
    const { dir, repo, wtDir } = await detachedTaskWorktree();
    await repairWorktree(repo, wtDir, { onBranch: true });
    expect(existsSync(wtDir)).toBe(false);
    expect(git(dir, 'worktree', 'list', '--porcelain')).not.toContain(wtDir);
  });

  it('moves one with changes aside instead, keeping them', async () => {
    const { dir, repo, wtDir } = await detachedTaskWorktree();
    writeFileSync(path.join(wtDir, 'notes.txt'), 'mine\n');
    await repairWorktree(repo, wtDir, { onBranch: true });
    expect(existsSync(wtDir)).toBe(false);
    const aside = readdirSync(path.dirname(wtDir)).find((n) => n.startsWith('task.orphan-'))!;
    expect(readFileSync(path.join(path.dirname(wtDir), aside, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(git(dir, 'worktree', 'list', '--porcelain')).not.toContain(wtDir);
  });

  it('leaves a detached worktree alone without onBranch (the integration worktree is detached by design)', async () => {
    const { repo, wtDir } = await detachedTaskWorktree();
    await repairWorktree(repo, wtDir);
    expect(existsSync(path.join(wtDir, 'a.txt'))).toBe(true);
  });
});
