import { existsSync } from 'node:fs';
import path from 'node:path';
import { INTEGRATION_DIR, RunError, integrationBranch, type TaskJob } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { readyWorktree, repairWorktree } from '@caid/worker';

export interface IntegrationWorktree {
  /** Where it is, or will be once something needs it. */
  readonly path: string;
  /** The worktree checked out at `head`, by default the integration branch's (reset there when elsewhere or dirty); made on the first call. */
  at(head?: string): Promise<Worktree>;
}

export interface IntegrationWorktreeOptions {
  runId: string;
  worktreeRoot: string;
  /** How a fresh worktree is made ready, as for a task's. */
  prepare?: TaskJob['prepare'];
  /** Runs once in a freshly added worktree (the plan's setup, when the run verifies). */
  setup?: (dir: string) => Promise<void>;
  /** Its folder under the run's (default `_integration`; a second verify lane is `_integration-2`). */
  name?: string;
}

/**
 * The run's detached integration worktree, checked out only once something needs one: the run's
 * verify, a task's own verify, the scaffold or review agent, the planner's tools on a replan. A
 * run with none of these merges without any worktree (see `integrator`) and never pays for the
 * checkout. The first call repairs what a killed run left there, or adds it at the integration
 * head, makes it ready and runs `setup` in it.
 */
export function integrationWorktree(repo: Repo, o: IntegrationWorktreeOptions): IntegrationWorktree {
  const dir = path.join(o.worktreeRoot, o.runId, o.name ?? INTEGRATION_DIR);
  let made: Promise<Worktree> | undefined;
  const branchHead = async () => {
    const head = await repo.branchHead(integrationBranch(o.runId));
    if (!head) throw new RunError(`the integration branch ${integrationBranch(o.runId)} is missing`);
    return head;
  };
  const addOnce = async (): Promise<{ wt: Worktree; fresh: boolean }> => {
    // A folder git forgot is moved aside and a half-done merge aborted; a registered but missing one is pruned.
    if (existsSync(dir)) await repairWorktree(repo, dir);
    else await repo.pruneWorktrees();
    if (existsSync(dir)) return { wt: repo.worktree(dir), fresh: false };
    const wt = await repo.addWorktree(dir, { start: await branchHead(), detach: true });
    await readyWorktree(repo, dir, o.prepare);
    return { wt, fresh: true };
  };
  let adding: Promise<{ wt: Worktree; fresh: boolean }> | undefined;
  const addMemo = () => adding ??= addOnce().catch((e: unknown) => {
    adding = undefined;
    throw e;
  });
  const make = async (): Promise<Worktree> => {
    const { wt, fresh } = await addMemo();
    if (fresh) await o.setup?.(dir);
    return wt;
  };
  return {
    path: dir,
    async at(wanted?: string): Promise<Worktree> {
      made ??= make().catch((e: unknown) => {
        made = undefined;
        throw e;
      });
      const wt = await made;
      const head = wanted ?? await branchHead();
      if ((await wt.head()) !== head || !(await wt.status()).clean) await wt.resetHard(head);
      return wt;
    },
  };
}
