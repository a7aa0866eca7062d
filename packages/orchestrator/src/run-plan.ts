import path from 'node:path';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import {
  INTEGRATION_DIR, integrationBranch, newRunId, runDir,
  type Plan, type RunEvent, type RunState, type TaskJob,
} from '@caid/core';
import { integrator } from '@caid/integrator';
import { schedule, type TaskQueue } from '@caid/scheduler';
import { RunLog } from './run-log.js';
import { defaultWorktreeRoot, openTarget } from './open-target.js';
import { cleanupRun, removeIfClean } from './cleanup-run.js';

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
  });

  const integrate = integrator({
    repo, runId, worktree: integrationWt, verify, verifyTimeoutMs: o.limits?.verifyTimeoutMs ?? 30 * 60_000, signal: o.signal,
    onVerify: (taskId, output) => writeFileSync(path.join(repo.root, runDir(runId), `verify-${taskId}.log`), output),
  });
  const makeJob = (taskId: string, attempt: number, round: TaskJob['round']): TaskJob => ({
    runId, repo: repo.root, worktreeRoot, task: log.current.tasks[taskId]!, attempt, round, setup: o.plan.setup, verify,
  });
  const retiring: Promise<void>[] = [];
  const final = await schedule({
    state: log.current, emit, queue: o.queue, makeJob, signal: o.signal,
    integrate: async (result, state) => {
      const outcome = await integrate(result, state.tasks[result.taskId]?.title);
      // In the background: a merged task's worktree is done with; cleanupRun retries any that fail.
      if (outcome.kind === 'merged') retiring.push(removeIfClean(repo, path.join(worktreeRoot, runId, result.taskId)).catch(() => {}));
      return outcome;
    },
    limits: { conflictRounds: o.limits?.conflictRounds ?? 2, verifyAttempts: o.limits?.verifyAttempts ?? 2 },
  });
  await Promise.all(retiring);
  await cleanupRun(repo, final, integrationWt.path);
  return final;
}

/** Git reports worktree paths as real paths; keep ours the same so they compare equal. */
function realRoot(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return realpathSync(dir);
}
