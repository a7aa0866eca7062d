import { existsSync, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Repo } from '@caid/git';
import { logger } from '@caid/log';

const wlog = logger('worker');

/**
 * Undoes what a killed caid (or a killed git) can leave in a task's worktree before a round
 * reruns there: a folder git no longer knows is moved aside (never deleted: it may hold an
 * agent's edits), a stale `index.lock` is removed, a half-done merge is aborted so the round can
 * merge again. With `onBranch` (a task's worktree, always on its branch), one on no branch is a
 * parked worktree whose take-over was cut short between its move and its checkout: it is removed,
 * or moved aside if it holds changes, so the round makes the task's worktree afresh. Safe because the run lock says no other caid drives this run.
 */
export async function repairWorktree(repo: Repo, dir: string, o: { onBranch?: boolean } = {}): Promise<void> {
  if (!existsSync(dir)) return;
  await repo.pruneWorktrees();
  const known = (await repo.listWorktrees()).some((w) => w.path === dir);
  if (!known) {
    renameSync(dir, `${dir}.orphan-${Date.now()}`);
    return;
  }
  // The admin dir git recorded, never the one the worktree's own `.git` file names (an agent may have rewritten it).
  const adminDir = repo.recordedGitDir(dir);
  if (adminDir) {
    rmSync(path.join(adminDir, 'index.lock'), { force: true });
    restoreGitFile(dir, adminDir);
  }
  const wt = repo.worktree(dir);
  if (await wt.mergeInProgress()) await wt.abortMerge();
  if (o.onBranch && (await wt.branch()) === null) {
    const removed = await repo.removeWorktree(dir).then(() => true, (err) => { wlog.dropped('worktree on no branch not removed: moved aside instead', { worktree: dir })(err); return false; });
    if (!removed && existsSync(dir)) {
      renameSync(dir, `${dir}.orphan-${Date.now()}`);
      await repo.pruneWorktrees();
    }
  }
}

/**
 * Points a worktree's `.git` back at its recorded admin dir when an agent repointed it (or made
 * it a folder or a link), so the user's own git in that folder sees the task's branch again.
 * Whatever the agent put there is moved aside, not deleted. caid's own git never reads it.
 */
function restoreGitFile(dir: string, adminDir: string): void {
  const gitFile = path.join(dir, '.git');
  const want = `gitdir: ${adminDir}\n`;
  const info = lstatSync(gitFile, { throwIfNoEntry: false });
  if (info?.isFile() && readFileSync(gitFile, 'utf8').trim() === want.trim()) return;
  // Beside the worktree (as orphans are), not in it, so it is never committed on the task branch.
  if (info) renameSync(gitFile, `${dir}.planted-git-${Date.now()}`);
  writeFileSync(gitFile, want);
}
