import type { RunState, TaskStatus } from './reduce.js';
import type { Usage } from './usage.js';

export type SummaryTaskStatus = 'merged' | 'failed' | 'skipped' | 'pending' | 'running';

/** The `--json` contract of ARCHITECTURE.md. */
export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'failed' | 'cancelled' | 'running' | 'pending';
  branch: string;
  commit: string;
  tasks: { id: string; status: SummaryTaskStatus; attempts: number; conflicts: number }[];
  usage: Usage;
  /** Only when the run stopped early, e.g. 'budget'. */
  reason?: string;
}

const PUBLIC_STATUS: Record<TaskStatus, SummaryTaskStatus> = {
  pending: 'pending', queued: 'pending', running: 'running', integrating: 'running',
  merged: 'merged', failed: 'failed', skipped: 'skipped',
};

export function summarize(s: RunState): RunSummary {
  return {
    runId: s.runId,
    status: s.status,
    branch: s.branch,
    commit: s.head,
    tasks: s.order.map((id) => {
      const t = s.tasks[id]!;
      return { id, status: PUBLIC_STATUS[t.status], attempts: t.attempts, conflicts: t.conflicts };
    }),
    usage: s.usage,
    ...(s.reason ? { reason: s.reason } : {}),
  };
}
