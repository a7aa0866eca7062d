import path from 'node:path';
import type { RunState } from '@caid/core';
import type { Repo } from '@caid/git';

/**
 * End of a run: merged tasks' worktrees and the integration worktree go; every branch stays,
 * and failed tasks keep their worktrees for inspection. Never forces away uncommitted changes.
 */
export async function cleanupRun(repo: Repo, s: RunState, integrationPath: string): Promise<void> {
  const listed = new Set((await repo.listWorktrees()).map((w) => w.path));
  const targets = [integrationPath, ...s.order.filter((id) => s.tasks[id]!.status === 'merged').map((id) => path.join(s.worktreeRoot, s.runId, id))];
  for (const wt of targets) {
    if (listed.has(wt)) await removeIfClean(repo, wt);
  }
  await repo.pruneWorktrees();
}

/**
 * Removes a worktree unless it holds uncommitted changes. The run calls it as soon as a task
 * merges (a merged task never runs again), so the number of worktrees stays near the number of
 * workers: git's and caid's per-worktree scans (worktree list, branch checks) stay O(workers).
 */
export async function removeIfClean(repo: Repo, wt: string): Promise<void> {
  const clean = await repo.worktree(wt).status().then((st) => st.clean, () => true);
  if (clean) await repo.removeWorktree(wt);
}
