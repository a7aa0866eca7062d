import { taskBranch, type TaskJob } from '@caid/core';
import { boundaryChanges, boundarySnapshot, restoreBoundary, type BoundarySnapshot, type Repo } from '@caid/git';
import { repairWorktree } from './repair-worktree.js';
import type { Transcript } from './transcript.js';

/**
 * The isolation check after an agent round, before caid commits it: the task's branch must still
 * exist, and nothing outside the worktree (boundarySnapshot) may have changed. On a breach the
 * round fails closed with `isolation-breach` naming what changed; the repository config, hooks and
 * the `.git` pointer are put back, the rest is named for the user. Nothing of the round is committed.
 */
export async function boundaryBreach(
  repo: Repo, job: TaskJob, worktree: string, before: BoundarySnapshot, transcript: Transcript,
): Promise<{ reason: 'isolation-breach' | 'error'; message: string } | null> {
  const branch = taskBranch(job.runId, job.task.id);
  if ((await repo.branchHead(branch)) === null) {
    return { reason: 'error', message: `the task's branch ${branch} was deleted while its agent worked; nothing was committed (the worktree is kept: its files are the agent's work)` };
  }
  const changed = boundaryChanges(before, await boundarySnapshot(repo, worktree));
  if (changed.length === 0) return null;
  const restored = restoreBoundary(repo, worktree, before, changed);
  if (changed.includes("the task worktree's .git pointer")) {
    await repairWorktree(repo, worktree);
    restored.push("the task worktree's .git pointer");
  }
  const kept = changed.filter((c) => !restored.includes(c));
  const message = `the agent changed ${changed.join(', ')} outside its worktree; its work was not committed`
    + (restored.length ? `; restored: ${restored.join(', ')}` : '')
    + (kept.length ? `; check by hand: ${kept.join(', ')}` : '');
  transcript.append({ t: 'note', text: message });
  return { reason: 'isolation-breach', message };
}
