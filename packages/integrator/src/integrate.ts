import { integrationBranch, type IntegrationOutcome, type TaskResult } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { runShell, tailOutput } from '@caid/agent';

export interface IntegratorOptions {
  repo: Repo;
  runId: string;
  /** The integration worktree: detached, kept at the integration branch head between merges. */
  worktree: Worktree;
  verify?: string;
  verifyTimeoutMs: number;
  signal?: AbortSignal;
  /** Receives the full verify output of every run (for the run folder). */
  onVerify?: (taskId: string, output: string, exitCode: number | null) => void;
}

/**
 * Merges one finished task into the integration branch and gates it on verify. The merge and
 * the verify happen in the detached integration worktree; the branch only moves (compare-and-swap)
 * once verify passed, so no task is ever dispatched from an unverified head.
 */
export function integrator(o: IntegratorOptions) {
  const branch = integrationBranch(o.runId);
  // The commit at which this integrator itself last left the worktree clean (a merge with no
  // verify after it, an aborted merge, a reset); at that commit the status scan is skipped,
  // which on a large repository is the most expensive step of a merge. Verify may write files.
  let cleanAt: string | undefined;
  return async function integrate(result: TaskResult, title?: string): Promise<IntegrationOutcome> {
    const [before, head] = await Promise.all([o.repo.resolve(branch), o.worktree.head()]);
    if (!before || !result.commit) throw new Error(`cannot integrate ${result.taskId}: missing ${before ? 'task commit' : branch}`);
    if (head !== before || (cleanAt !== before && !(await o.worktree.status()).clean)) await o.worktree.resetHard(before);
    cleanAt = undefined;

    const merged = await o.worktree.merge(result.commit, `caid: merge task ${result.taskId}${title ? ` (${title})` : ''}`);
    if (!merged.ok) {
      await o.worktree.abortMerge();
      cleanAt = before;
      return { kind: 'conflict', paths: merged.conflicts };
    }
    if (o.verify) {
      const r = await runShell(o.verify, { cwd: o.worktree.path, timeoutMs: o.verifyTimeoutMs, signal: o.signal });
      o.onVerify?.(result.taskId, r.output, r.exitCode);
      if (r.exitCode !== 0) {
        await o.worktree.resetHard(before);
        cleanAt = before;
        const why = r.timedOut ? `timed out after ${o.verifyTimeoutMs} ms` : r.cancelled ? 'cancelled' : `exited ${r.exitCode}`;
        return { kind: 'verify-failed', command: o.verify, exitCode: r.exitCode, output: `${tailOutput(r.output)}\n[verify ${why}]` };
      }
    }
    await o.repo.updateBranch(branch, merged.commit, before);
    if (!o.verify) cleanAt = merged.commit;
    return { kind: 'merged', commit: merged.commit, taskCommit: result.commit };
  };
}
