import { integrationBranch, type IntegrationOutcome, type Task, type TaskResult } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { tailOutput } from '@caid/agent';
import { runVerify } from './run-verify.js';
import type { TestGate } from './test-gate.js';

export interface IntegratorOptions {
  repo: Repo;
  runId: string;
  /** The detached integration worktree checked out at `head` (made on first use): only merges that run checks need it. */
  worktree: (head: string) => Promise<Worktree>;
  /** The run-level verify, as a gate; none means merges are accepted as they are. */
  gate?: TestGate;
  verifyTimeoutMs: number;
  signal?: AbortSignal;
  /** Receives the verify output of every merge (for the run folder). */
  onVerify?: (taskId: string, output: string) => void;
}

/**
 * Merges one finished task into the integration branch and gates it. A merge with checks happens
 * in the detached integration worktree; one without (no gate, no task verify) merges the trees
 * alone, with no work tree at all. Either way the branch only moves (compare-and-swap) once the
 * checks pass, so no task is ever dispatched from an unverified head.
 */
export function integrator(o: IntegratorOptions) {
  const branch = integrationBranch(o.runId);
  return async function integrate(result: TaskResult, task: Pick<Task, 'title' | 'verify'>): Promise<IntegrationOutcome> {
    const before = await o.repo.branchHead(branch);
    if (!before || !result.commit) throw new Error(`cannot integrate ${result.taskId}: missing ${before ? 'task commit' : branch}`);
    const checks = Boolean(o.gate || task.verify);
    // Merges are serial, so each git process here is on the run's critical path: the tree merge,
    // which writes only objects, runs alongside the ancestry check instead of after it.
    const [already, tree] = await Promise.all([
      o.repo.isAncestor(result.commit, before),
      checks ? undefined : o.repo.mergeTree(before, result.commit),
    ]);
    // Resumed after a crash between moving the branch and logging it: the merge is already there.
    if (already) return { kind: 'merged', commit: before, taskCommit: result.commit };
    const message = `caid: merge task ${result.taskId}${task.title ? ` (${task.title})` : ''}`;

    if (tree) {
      if (!tree.ok) return { kind: 'conflict', paths: tree.conflicts };
      const commit = await o.repo.commitTree(tree.tree, [before, result.commit], message);
      await o.repo.updateBranch(branch, commit, before);
      return { kind: 'merged', commit, taskCommit: result.commit };
    }

    const wt = await o.worktree(before);
    const merged = await wt.merge(result.commit, message);
    if (!merged.ok) {
      await wt.abortMerge();
      return { kind: 'conflict', paths: merged.conflicts };
    }
    const refuse = async (outcome: Extract<IntegrationOutcome, { kind: 'verify-failed' }>) => {
      await wt.resetHard(before);
      return outcome;
    };
    const verdict = o.gate ? await o.gate.check(wt.path) : undefined;
    if (verdict) o.onVerify?.(result.taskId, verdict.output);
    if (verdict && !verdict.report.accepted) {
      return refuse({ kind: 'verify-failed', command: o.gate!.command, exitCode: verdict.exitCode, output: verdict.output, gate: verdict.report });
    }
    if (task.verify) {
      const check = await runVerify(task.verify, { cwd: wt.path, timeoutMs: o.verifyTimeoutMs, signal: o.signal });
      if (check.exitCode !== 0) return refuse({ kind: 'verify-failed', command: task.verify, exitCode: check.exitCode, output: tailOutput(check.output), gate: verdict?.report });
    }
    await o.repo.updateBranch(branch, merged.commit, before);
    return { kind: 'merged', commit: merged.commit, taskCommit: result.commit, gate: verdict?.report };
  };
}
