import { existsSync } from 'node:fs';
import type { Repo } from './repo.js';
import { awaitExpectedSpare } from './spare-waits.js';
import { ownWorktreeMove } from './own-worktree-moves.js';
import type { Worktree } from './worktree.js';
import { logger } from '@caid/log';

const glog = logger('git');

/**
 * Moves a worktree parked in `sparesDir` (Repo.parkWorktree) to `path` and puts it on a new branch
 * `newBranch` at `start`, or on the existing branch `branch`, with no file of its earlier task left
 * (ignored ones included): the same tree `addWorktree` would give, for only the files that differ.
 * Null when there is no spare; a spare that cannot be moved or switched is removed, and the next
 * one is tried. With no spare but one announced (expectSpare), waits for it up to `waitMs`
 * (default: what the last fresh checkout took, so a small repository hardly waits).
 */
export async function takeSpareWorktree(
  repo: Repo, sparesDir: string, path: string, o: { start: string; newBranch?: string; branch?: string; waitMs?: number },
): Promise<Worktree | null> {
  let waited = false;
  for (;;) {
    const taken = await repo.moveSpareInto(sparesDir, path);
    if (taken === 'retry') continue;
    if (taken === null) {
      if (waited || !(await awaitExpectedSpare(sparesDir, o.waitMs ?? repo.lastCheckoutMs() ?? 0))) return null;
      waited = true;
      continue;
    }
    const wt = repo.worktree(taken);
    try {
      // caid's own switch of a parked worktree (see own-worktree-moves.ts).
      await ownWorktreeMove(repo.recordedGitDir(taken), () => wt.switchFresh(o));
      return wt;
    } catch (err) {
      glog.debug({ err, worktree: taken }, 'spare worktree could not be switched; removing it');
      await repo.removeWorktree(taken, { force: true }).catch(glog.dropped('spare worktree not removed', { worktree: taken }));
      if (existsSync(taken)) return null;
    }
  }
}
