import path from 'node:path';
import type { RunState } from '@caid/core';
import type { Repo } from '@caid/git';
import { logger } from '@caid/log';
import { diskUsage } from './disk-usage.js';

const olog = logger('orchestrator');

export interface KeptWorktrees {
  /** The run's folder under the worktree root. */
  dir: string;
  /** The run's worktrees git still lists (after the run: failed tasks' and any with uncommitted files). */
  paths: string[];
  /** Those with uncommitted or untracked files (`caid clean` removes them only with --force). */
  dirty: string[];
  /** Disk the run's folder takes (worktrees and their scratch folders). */
  bytes: number;
}

/** The worktrees a run keeps on disk, as `caid clean` would find them, and the disk they take. */
export async function keptWorktrees(repo: Repo, s: RunState): Promise<KeptWorktrees> {
  const dir = path.join(s.worktreeRoot, s.runId);
  const paths = (await repo.listWorktrees()).map((w) => w.path).filter((p) => p.startsWith(dir + path.sep)).sort();
  const dirty: string[] = [];
  for (const p of paths) {
    // Unreadable (its folder gone, say) counts as clean, as in planClean.
    const clean = await repo.worktree(p).status().then((st) => st.clean, (err) => { olog.dropped('worktree status unreadable: treated as clean', { worktree: p })(err); return true; });
    if (!clean) dirty.push(p);
  }
  return { dir, paths, dirty, bytes: diskUsage(dir) };
}
