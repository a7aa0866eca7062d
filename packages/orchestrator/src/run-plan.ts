import path from 'node:path';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import {
  INTEGRATION_DIR, integrationBranch, newRunId, runDir,
  type Plan, type RunEvent, type RunState,
} from '@caid/core';
import type { TaskQueue } from '@caid/scheduler';
import { RunLog } from './run-log.js';
import { defaultWorktreeRoot, openTarget } from './open-target.js';
import { driveRun } from './drive-run.js';

export interface RunOptions {
  plan: Plan;
  repoDir: string;
  base?: string;
  workers: number;
  /** Overrides the plan's verify command. */
  verify?: string;
  worktreeRoot?: string;
  queue: TaskQueue;
  limits?: { conflictRounds?: number; verifyAttempts?: number; verifyTimeoutMs?: number };
  signal?: AbortSignal;
  runId?: string;
  /** Distributed runs: the git remote workers use (default: none, the in-process workers use the repository). */
  remote?: string;
  /** Distributed runs: the queue's address without credentials, recorded in the log for `caid resume`. */
  queueAddress?: string;
  onEvent?: (e: RunEvent, s: RunState) => void;
}

/** Composes a run: validate, create the integration branch and worktree, schedule, clean up. */
export async function runPlan(o: RunOptions): Promise<RunState> {
  const base = o.base ?? 'HEAD';
  const { repo, baseCommit } = await openTarget(o.repoDir, base);
  const runId = o.runId ?? newRunId();
  const worktreeRoot = realRoot(o.worktreeRoot ?? defaultWorktreeRoot(repo.root));
  const verify = o.verify ?? o.plan.verify;

  await repo.excludeLocally('/.caid/');
  const log = RunLog.create(repo.root, runId);
  writeFileSync(path.join(repo.root, runDir(runId), 'plan.json'), `${JSON.stringify(o.plan, null, 2)}\n`);
  const emit = async (e: Parameters<RunLog['append']>[0]) => {
    const { event, state } = log.append(e);
    o.onEvent?.(event, state);
    return state;
  };

  const branch = integrationBranch(runId);
  await repo.createBranch(branch, baseCommit);
  const integrationWt = await repo.addWorktree(path.join(worktreeRoot, runId, INTEGRATION_DIR), { start: baseCommit, detach: true });
  await emit({
    type: 'run.started', runId, goal: o.plan.goal, repo: repo.root, base, baseCommit, branch, worktreeRoot,
    workers: o.workers, verify, setup: o.plan.setup, tasks: o.plan.tasks,
    ...(o.remote ? { remote: o.remote, queue: o.queueAddress } : {}),
  });

  return driveRun({
    repo, log, integrationWt, queue: o.queue, signal: o.signal, onEvent: o.onEvent, remote: o.remote,
    limits: { conflictRounds: o.limits?.conflictRounds ?? 2, verifyAttempts: o.limits?.verifyAttempts ?? 2, verifyTimeoutMs: o.limits?.verifyTimeoutMs ?? 30 * 60_000 },
  });
}

/** Git reports worktree paths as real paths; keep ours the same so they compare equal. */
function realRoot(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return realpathSync(dir);
}
