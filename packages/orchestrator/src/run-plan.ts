import path from 'node:path';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import {
  INTEGRATION_DIR, integrationBranch, newRunId, runDir,
  type Plan, type RunEvent, type RunState, type TaskJob,
} from '@caid/core';
import { integrator } from '@caid/integrator';
import { scrubText } from '@caid/agent';
import { schedule, type TaskQueue } from '@caid/scheduler';
import { RunLog } from './run-log.js';
import { defaultWorktreeRoot, openTarget } from './open-target.js';
import { cleanupRun } from './cleanup-run.js';

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
  /** Stop dispatching once this returns a reason (the run's budget); see schedule(). */
  shouldStop?: (s: RunState) => { reason: string; message: string } | undefined;
  /** Values scrubbed from every event before it is written (API keys). */
  secrets?: readonly string[];
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
    const { event, state } = log.append(o.secrets?.length ? JSON.parse(scrubText(JSON.stringify(e), o.secrets)) : e);
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
  const makeJob = (taskId: string, attempt: number, round: TaskJob['round']): TaskJob => {
    const task = log.current.tasks[taskId]!;
    return {
      runId, repo: repo.root, worktreeRoot, task, attempt, round, setup: o.plan.setup, verify,
      usedTokens: task.usage.inputTokens + task.usage.outputTokens,
    };
  };
  const final = await schedule({
    state: log.current, emit, queue: o.queue, makeJob, signal: o.signal, shouldStop: o.shouldStop,
    integrate: (result, state) => integrate(result, state.tasks[result.taskId]?.title),
    limits: { conflictRounds: o.limits?.conflictRounds ?? 2, verifyAttempts: o.limits?.verifyAttempts ?? 2 },
  });
  await cleanupRun(repo, final, integrationWt.path);
  return final;
}

/** Git reports worktree paths as real paths; keep ours the same so they compare equal. */
function realRoot(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return realpathSync(dir);
}
