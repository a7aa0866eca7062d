import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Repo } from '@caid/git';

/**
 * Undoes what a killed caid (or a killed git) can leave in a task's worktree before a round
 * reruns there: a folder git no longer knows is moved aside (never deleted: it may hold an
 * agent's edits), a stale `index.lock` is removed, and a half-done merge is aborted so the
 * round can merge again. Safe because the run lock says no other caid drives this run.
 */
export async function repairWorktree(repo: Repo, dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await repo.pruneWorktrees();
  const known = (await repo.listWorktrees()).some((w) => w.path === dir);
  if (!known) {
    renameSync(dir, `${dir}.orphan-${Date.now()}`);
    return;
  }
  const gitFile = path.join(dir, '.git');
  const adminDir = existsSync(gitFile) && statSync(gitFile).isFile()
    ? path.resolve(dir, readFileSync(gitFile, 'utf8').replace(/^gitdir:\s*/, '').trim())
    : undefined;
  if (adminDir) rmSync(path.join(adminDir, 'index.lock'), { force: true });
  const wt = repo.worktree(dir);
  if (await wt.mergeInProgress()) await wt.abortMerge();
}
