import path from 'node:path';
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { debuglog } from 'node:util';
import { INTEGRATION_DIR, spareWorktrees, type RunState } from '@caid/core';
import { expectSpare, type Repo } from '@caid/git';
import { logger } from '@caid/log';

const oplog = logger('orchestrator');

/**
 * End of a run: merged tasks' worktrees and the integration worktree go; every branch stays,
 * and failed tasks keep their worktrees for inspection. Never forces away uncommitted changes.
 */
export async function cleanupRun(repo: Repo, s: RunState, integrationPaths: readonly string[]): Promise<void> {
  // Entries of worktrees already discarded during the run go first, so they are not tried again.
  await repo.pruneWorktrees();
  const listed = new Set((await repo.listWorktrees()).map((w) => w.path));
  const spares = spareWorktrees(s.worktreeRoot, s.runId);
  const parked = existsSync(spares) ? readdirSync(spares).map((n) => path.join(spares, n)) : [];
  const targets = [...integrationPaths, ...parked, ...s.order.filter((id) => s.tasks[id]!.status === 'merged').map((id) => path.join(s.worktreeRoot, s.runId, id))];
  for (const wt of targets) {
    if (listed.has(wt)) await retireWorktree(repo, wt);
  }
  await repo.pruneWorktrees();
  if (existsSync(spares) && readdirSync(spares).length === 0) rmSync(spares, { recursive: true });
  // Folders a killed run was still deleting (clean worktrees renamed aside by discardWorktree).
  const runDir = path.join(s.worktreeRoot, s.runId);
  for (const name of existsSync(runDir) ? readdirSync(runDir) : []) {
    if (/\.discarded-\d+-\d+$/.test(name)) rmSync(path.join(runDir, name), { recursive: true, force: true });
  }
  // Nothing kept (no failed task's worktree, no prompt files): no empty folder of the run behind.
  removeIfEmpty(runDir);
}

/**
 * The end-of-run cleanup again, for a run whose log says it ended but whose process was killed
 * before its cleanup finished (`kill -9` right after `run.finished`): its integration worktrees
 * (every lane) are found on disk. What cleanupRun keeps (failed tasks, uncommitted work) stays.
 */
export async function tidyEndedRun(repo: Repo, s: RunState): Promise<void> {
  const dir = path.join(s.worktreeRoot, s.runId);
  const lanes = existsSync(dir) ? readdirSync(dir).filter((n) => n === INTEGRATION_DIR || n.startsWith(`${INTEGRATION_DIR}-`)).map((n) => path.join(dir, n)) : [];
  await cleanupRun(repo, s, lanes);
}

/**
 * Removes a worktree that is done with, and its TMPDIR, unless it holds uncommitted or untracked
 * files: plain `git worktree remove` refuses those, so one git process both checks and removes.
 */
async function retireWorktree(repo: Repo, wt: string): Promise<void> {
  const gone = await repo.removeWorktree(wt).then(() => true, (err) => { oplog.dropped('task worktree kept: git would not remove it (changes, or gone)', { worktree: wt })(err); return false; });
  if (gone) removeScratch(path.dirname(path.dirname(wt)), path.basename(path.dirname(wt)), path.basename(wt), 'tmp');
}

/**
 * A run whose merged tasks' worktrees leave as soon as each merges (a merged task never runs
 * again), in the background, so merges and new worktrees never wait for it. Up to `keep` of them
 * are parked as spares, for new tasks to take over (`takeSpareWorktree`): switching a worktree
 * writes only the files that differ, where a new one writes every file of the repository. The
 * rest are discarded outside the repository's queue (`discardWorktree`), and git's admin entries
 * of those are pruned every `PRUNE_EVERY` tasks. `settled()` waits for every retirement started so
 * far; a worktree with changes stays, and the end of the run keeps it too.
 */
export function worktreeRetirer(repo: Repo, worktreeRoot: string, runId: string, o: { keep?: number } = {}) {
  const pending = new Set<Promise<void>>();
  // The latest retirement of each task, for a reopen round to wait on (settledFor).
  const byTask = new Map<string, Promise<void>>();
  const spares = spareWorktrees(worktreeRoot, runId);
  const keep = o.keep ?? 0;
  let discarded = 0;
  let parking = 0;
  const announced = new Map<string, () => void>();
  const settle = (taskId: string) => {
    announced.get(taskId)?.();
    announced.delete(taskId);
  };
  return {
    /** A task is being merged: a new task that finds no spare may wait for its worktree (see takeSpareWorktree). */
    expect(taskId: string): void {
      if (keep > 0 && !announced.has(taskId)) announced.set(taskId, expectSpare(spares));
    },
    /** The task did not merge this time: nothing of it is coming. */
    unexpect: settle,
    retire(taskId: string): void {
      const wt = path.join(worktreeRoot, runId, taskId);
      const park = (existsSync(spares) ? readdirSync(spares).length : 0) + parking < keep;
      if (park) parking++;
      const p = (park ? repo.parkWorktree(wt, path.join(spares, taskId)).finally(() => parking--) : repo.discardWorktree(wt).then(() => {
        if (++discarded % PRUNE_EVERY === 0) return repo.pruneWorktrees();
      })).then(() => removeScratch(worktreeRoot, runId, taskId, 'tmp')).catch(oplog.dropped('retiring a worktree failed; `caid clean` removes what is left', { taskId, worktree: wt })).finally(() => settle(taskId));
      pending.add(p);
      byTask.set(taskId, p);
      void p.then(() => {
        pending.delete(p);
        if (byTask.get(taskId) === p) byTask.delete(taskId);
      });
    },
    settled: () => Promise.all([...pending]).then(() => undefined),
    /**
     * Waits for the retirement of one task's worktree, if one is under way: a reopened task's round
     * must not start while its old worktree is still being parked or discarded (that worktree still
     * holds the task's branch, and its folder may vanish under the round).
     */
    settledFor: (taskId: string): Promise<void> => byTask.get(taskId) ?? Promise.resolve(),
  };
}

const PRUNE_EVERY = 16;

/**
 * A task's TMPDIR goes with its worktree at the end of a run (its prompt files stay, for
 * inspection); `caid clean` removes the whole scratch folder (part = undefined).
 */
export function removeScratch(worktreeRoot: string, runId: string, taskId: string, part?: 'tmp'): void {
  const scratch = path.join(worktreeRoot, runId, '.scratch');
  rmSync(path.join(scratch, taskId, ...(part ? [part] : [])), { recursive: true, force: true });
  // Folders left empty go too (the agent's HOME when no tool wrote there, then the task's and the
  // run's scratch folders): no empty `.scratch` behind.
  removeIfEmpty(path.join(scratch, taskId, 'home'));
  removeIfEmpty(path.join(scratch, taskId));
  removeIfEmpty(scratch);
}

const debug = debuglog('caid');

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (e) {
    // Not empty (kept prompt files) or already gone: both fine.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') debug('scratch: could not remove %s: %s', dir, (e as Error).message);
  }
}
