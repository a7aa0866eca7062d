import path from 'node:path';
import { rmSync } from 'node:fs';
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
    if (!listed.has(wt)) continue;
    const clean = await repo.worktree(wt).status().then((st) => st.clean, () => true);
    if (!clean) continue;
    await repo.removeWorktree(wt);
    removeScratch(s.worktreeRoot, s.runId, path.basename(wt), 'tmp');
  }
  await repo.pruneWorktrees();
}

/**
 * A task's TMPDIR goes with its worktree at the end of a run (its prompt files stay, for
 * inspection); `caid clean` removes the whole scratch folder (part = undefined).
 */
export function removeScratch(worktreeRoot: string, runId: string, taskId: string, part?: 'tmp'): void {
  rmSync(path.join(worktreeRoot, runId, '.scratch', taskId, ...(part ? [part] : [])), { recursive: true, force: true });
}
