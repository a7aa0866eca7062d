import path from 'node:path';
import { integrationBranch } from '@caid/core';
import type { Repo } from '@caid/git';
import { listRuns } from './list-runs.js';
import { RunLog } from './run-log.js';
import { removeScratch } from './cleanup-run.js';
import { logger } from '@caid/log';

const olog = logger('orchestrator');

export interface CleanItem {
  kind: 'worktree' | 'branch';
  target: string;
  remove: boolean;
  why: string;
  sha?: string;
  dirty?: boolean;
}

/**
 * What `caid clean` would do for finished runs. Never planned for removal without `force`: a
 * branch holding commits that are not on the integration branch, an integration branch whose
 * result is on no other branch, and a worktree with uncommitted changes.
 */
export async function planClean(repo: Repo, runIds: string[], force = false): Promise<CleanItem[]> {
  const runs = new Map(listRuns(repo.root).map((r) => [r.runId, r]));
  const worktrees = await repo.listWorktrees();
  const items: CleanItem[] = [];
  for (const runId of runIds) {
    const run = runs.get(runId);
    if (!run) continue;
    const finished = run.status === 'succeeded' || run.status === 'incomplete' || run.status === 'failed' || run.status === 'cancelled';
    const s = RunLog.open(repo.root, runId).current;
    const under = path.join(s.worktreeRoot, runId) + path.sep;
    for (const wt of worktrees.filter((w) => w.path.startsWith(under))) {
      // Unreadable (its folder gone, say) counts as clean: git itself still refuses to remove one with changes.
      const dirty = !(await repo.worktree(wt.path).status().then((st) => st.clean, (err) => { olog.dropped('worktree status unreadable: treated as clean', { worktree: wt.path })(err); return true; }));
      const remove = finished && (!dirty || force);
      items.push({ kind: 'worktree', target: wt.path, remove, dirty, why: !finished ? `run is ${run.status}` : dirty ? (force ? 'uncommitted changes (--force)' : 'uncommitted changes') : 'run finished' });
    }
    const integration = await repo.resolve(integrationBranch(runId));
    // git refuses to delete a branch checked out in a worktree that stays (a kept task worktree, or one of the user's).
    const removed = new Set(items.filter((i) => i.kind === 'worktree' && i.remove).map((i) => i.target));
    const checkedOut = new Map(worktrees.filter((w) => w.branch && !removed.has(w.path)).map((w) => [w.branch!, w.path]));
    for (const b of await repo.listBranches(`caid/${runId}/`)) {
      let why: string;
      let safe: boolean;
      if (b.name === integrationBranch(runId)) {
        const elsewhere = (await repo.branchesContaining(b.sha)).filter((n) => !n.startsWith('caid/'));
        safe = elsewhere.length > 0;
        why = safe ? `its result is on ${elsewhere[0]}` : `the run's result is on no other branch: land it first (caid land ${runId})`;
      } else {
        safe = Boolean(integration) && (await repo.isAncestor(b.sha, integration!));
        why = safe ? 'all its commits are on the integration branch' : 'it holds commits that are not on the integration branch';
      }
      const at = checkedOut.get(b.name);
      if (finished && (safe || force) && at) {
        items.push({ kind: 'branch', target: b.name, sha: b.sha, remove: false, why: `checked out in ${at}, which stays` });
        continue;
      }
      const remove = finished && (safe || force);
      items.push({ kind: 'branch', target: b.name, sha: b.sha, remove, why: !finished ? `run is ${run.status}` : !safe && force ? `${why} (--force)` : why });
    }
  }
  return items;
}

/** Carries out a plan from `planClean`: worktrees first, since a checked-out branch cannot go. */
export async function applyClean(repo: Repo, items: CleanItem[]): Promise<void> {
  for (const i of items.filter((x) => x.remove && x.kind === 'worktree')) {
    await repo.removeWorktree(i.target, { force: i.dirty });
    removeScratch(path.dirname(path.dirname(i.target)), path.basename(path.dirname(i.target)), path.basename(i.target));
  }
  await repo.pruneWorktrees();
  for (const i of items.filter((x) => x.remove && x.kind === 'branch')) await repo.deleteBranch(i.target, i.sha!);
}
