import type { RunState, TaskStatus } from './reduce.js';
import type { Usage } from './usage.js';
import type { TestCounts } from './gate.js';
import { runStopped } from './queue-phase.js';

/** `interrupted`: in flight when the run stopped; `caid resume` redoes it. */
export type SummaryTaskStatus = 'merged' | 'failed' | 'skipped' | 'pending' | 'running' | 'interrupted';

/** The `--json` contract of ARCHITECTURE.md. */
export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'incomplete' | 'failed' | 'cancelled' | 'running' | 'pending';
  branch: string;
  commit: string;
  tasks: { id: string; status: SummaryTaskStatus; attempts: number; conflicts: number; tests?: TestCounts }[];
  usage: Usage;
  /** Per-test counts on the integration head at the end, when verify produces a report. */
  tests?: TestCounts;
  /** Passed counts: the base's, then after each merge ("0 → 37 → 112 → 201 / 201"). */
  testProgress?: string;
  flaky?: string[];
  /** Only when the run stopped early, e.g. 'budget', or did not reach its goal ('tests-failing'). */
  reason?: string;
  /** What `reason` means for this run (which limit, how many tests fail). */
  message?: string;
  /** Paths tasks changed outside their declared `files`, per task. */
  undeclaredWrites?: Record<string, string[]>;
}

export function testProgress(s: RunState): string | undefined {
  const h = s.testHistory;
  return h.length ? `${h.map((c) => c.passed).join(' → ')} / ${h.at(-1)!.total}` : undefined;
}

const PUBLIC_STATUS: Record<TaskStatus, SummaryTaskStatus> = {
  pending: 'pending', queued: 'pending', running: 'running', integrating: 'running',
  merged: 'merged', failed: 'failed', skipped: 'skipped',
};

/** `dead`: the log says running but no live process drives it (a killed run). */
export function summarize(s: RunState, o: { dead?: boolean } = {}): RunSummary {
  const stopped = runStopped(s.status, o.dead);
  return {
    runId: s.runId,
    status: s.status,
    branch: s.branch,
    commit: s.head,
    tasks: s.order.map((id) => {
      const t = s.tasks[id]!;
      const status = PUBLIC_STATUS[t.status];
      return { id, status: stopped && (status === 'running' || t.status === 'queued') ? 'interrupted' : status, attempts: t.attempts, conflicts: t.conflicts, ...(t.tests ? { tests: t.tests } : {}) };
    }),
    usage: s.usage,
    ...(s.testHistory.length ? { tests: s.testHistory.at(-1), testProgress: testProgress(s) } : {}),
    ...(s.flaky.length ? { flaky: s.flaky } : {}),
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.reasonMessage ? { message: s.reasonMessage } : {}),
    ...(s.undeclared ? { undeclaredWrites: Object.fromEntries(Object.entries(s.undeclared).map(([id, u]) => [id, u.paths])) } : {}),
  };
}
