import { summarize, type RunState } from '@caid/core';
import { RunLog } from './run-log.js';
import { listRunIds } from './run-store.js';
import { isAlive, readOwner } from './run-lock.js';

export interface RunListing {
  runId: string;
  /** The folded status; `interrupted` when the log says running but no live process drives it. */
  status: RunState['status'] | 'interrupted';
  live: boolean;
  goal: string;
  startedAt?: string;
  finishedAt?: string;
  merged: number;
  failed: number;
  total: number;
  branch: string;
  commit: string;
}

/** Every run of a repository, oldest first, as its log folds and its lock says. */
export function listRuns(repoRoot: string): RunListing[] {
  return listRunIds(repoRoot).map((runId) => {
    const s = RunLog.open(repoRoot, runId).current;
    const owner = readOwner(repoRoot, runId);
    const live = Boolean(owner && isAlive(owner));
    const tasks = summarize(s).tasks;
    return {
      runId, live, goal: s.goal, startedAt: s.startedAt, finishedAt: s.finishedAt, branch: s.branch, commit: s.head,
      status: s.status === 'running' && !live ? 'interrupted' : s.status,
      merged: tasks.filter((t) => t.status === 'merged').length,
      failed: tasks.filter((t) => t.status === 'failed' || t.status === 'skipped').length,
      total: tasks.length,
    };
  });
}
