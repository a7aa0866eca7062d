import { taskBranch, type TaskJob } from '@caid/core';
import { addedWorktreePath, restoreBoundary, settledBoundaryChanges, type BoundarySnapshot, type Repo } from '@caid/git';
import { logger } from '@caid/log';
import { repairWorktree } from './repair-worktree.js';
import type { Transcript } from './transcript.js';

const wlog = logger('worker');

/**
 * The isolation check after an agent round, before caid commits it: the task's branch must still
 * exist, and nothing outside the worktree (boundarySnapshot) may have changed. On a breach the
 * round fails closed with `isolation-breach` naming what changed; the repository config, hooks and
 * the `.git` pointer are put back, a worktree the agent added is removed when it is clean (so the
 * branch it holds can move again; one with changes is kept for the user), the rest is named for
 * the user. Nothing of the round is committed.
 */
export async function boundaryBreach(
  repo: Repo, job: TaskJob, worktree: string, before: BoundarySnapshot, transcript: Transcript,
): Promise<{ reason: 'isolation-breach' | 'error'; message: string } | null> {
  const branch = taskBranch(job.runId, job.task.id);
  if ((await repo.branchHead(branch)) === null) {
    return { reason: 'error', message: `the task's branch ${branch} was deleted while its agent worked; nothing was committed (the worktree is kept: its files are the agent's work)` };
  }
  const changed = await settledBoundaryChanges(repo, worktree, before);
  if (changed.length === 0) return null;
  const restored = restoreBoundary(repo, worktree, before, changed);
  if (changed.includes("the task worktree's .git pointer")) {
    await repairWorktree(repo, worktree);
    restored.push("the task worktree's .git pointer");
  }
  for (const change of changed) {
    const added = addedWorktreePath(change);
    // Not forced: git refuses one with changes or a lock, and then it stays, named for the user.
    if (added) await repo.removeWorktree(added).then(() => restored.push(change), wlog.dropped('worktree an agent added not removed: named for the user', { worktree: added }));
  }
  const kept = changed.filter((c) => !restored.includes(c));
  const message = `the agent changed ${changed.join(', ')} outside its worktree; its work was not committed`
    + (restored.length ? `; restored: ${restored.join(', ')}` : '')
    + (kept.length ? `; check by hand: ${kept.join(', ')}` : '');
  transcript.append({ t: 'note', text: message });
  return { reason: 'isolation-breach', message };
}
