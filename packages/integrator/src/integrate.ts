import { integrationBranch, type IntegrationOutcome, type Task, type TaskResult } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { tailOutput } from '@caid/agent';
import { runVerify } from './run-verify.js';
import type { TestGate } from './test-gate.js';

export interface IntegratorOptions {
  repo: Repo;
  runId: string;
  /** The integration worktree: detached, kept at the integration branch head between merges. */
  worktree: Worktree;
  /** The run-level verify, as a gate; none means merges are accepted as they are. */
  gate?: TestGate;
  verifyTimeoutMs: number;
  signal?: AbortSignal;
  /** Receives the verify output of every merge (for the run folder). */
  onVerify?: (taskId: string, output: string) => void;
}

/**
 * Merges one finished task into the integration branch and gates it. The merge and the checks
 * happen in the detached integration worktree; the branch only moves (compare-and-swap) once
 * they pass, so no task is ever dispatched from an unverified head.
 */
export function integrator(o: IntegratorOptions) {
  const branch = integrationBranch(o.runId);
  return async function integrate(result: TaskResult, task: Pick<Task, 'title' | 'verify'>): Promise<IntegrationOutcome> {
    const before = await o.repo.resolve(branch);
    if (!before || !result.commit) throw new Error(`cannot integrate ${result.taskId}: missing ${before ? 'task commit' : branch}`);
    // Resumed after a crash between moving the branch and logging it: the merge is already there.
    if (await o.repo.isAncestor(result.commit, before)) return { kind: 'merged', commit: before, taskCommit: result.commit };
    if ((await o.worktree.head()) !== before || !(await o.worktree.status()).clean) await o.worktree.resetHard(before);

    const merged = await o.worktree.merge(result.commit, `caid: merge task ${result.taskId}${task.title ? ` (${task.title})` : ''}`);
    if (!merged.ok) {
      await o.worktree.abortMerge();
      return { kind: 'conflict', paths: merged.conflicts };
    }
    const refuse = async (outcome: Extract<IntegrationOutcome, { kind: 'verify-failed' }>) => {
      await o.worktree.resetHard(before);
      return outcome;
    };
    const verdict = o.gate ? await o.gate.check(o.worktree.path) : undefined;
    if (verdict) o.onVerify?.(result.taskId, verdict.output);
    if (verdict && !verdict.report.accepted) {
      return refuse({ kind: 'verify-failed', command: o.gate!.command, exitCode: verdict.exitCode, output: verdict.output, gate: verdict.report });
    }
    if (task.verify) {
      const check = await runVerify(task.verify, { cwd: o.worktree.path, timeoutMs: o.verifyTimeoutMs, signal: o.signal });
      if (check.exitCode !== 0) return refuse({ kind: 'verify-failed', command: task.verify, exitCode: check.exitCode, output: tailOutput(check.output), gate: verdict?.report });
    }
    await o.repo.updateBranch(branch, merged.commit, before);
    return { kind: 'merged', commit: merged.commit, taskCommit: result.commit, gate: verdict?.report };
  };
}
