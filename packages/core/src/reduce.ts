import type { RunEvent } from './events.js';
import type { Task } from './plan.js';
import { addUsage, ZERO_USAGE, type Usage } from './usage.js';
import type { GateMode, GateReport, TestCounts } from './gate.js';
import { applyRevision } from './apply-revision.js';
import type { RunSettings } from './run-settings.js';
import { startedSettings } from './run-inputs.js';

export type TaskStatus = 'pending' | 'queued' | 'running' | 'integrating' | 'merged' | 'failed' | 'skipped';

export interface TaskState extends Task {
  status: TaskStatus;
  /** Agent rounds run or queued for this task (first run, conflict rounds, send-backs). */
  attempts: number;
  conflicts: number;
  /** Conflicts caused only by other work landing while this task resolved an earlier one. */
  staleConflicts?: number;
  /** Why its latest round was queued ('start', 'conflict', 'verify-failed'). */
  round?: 'start' | 'conflict' | 'verify-failed' | 'reopen';
  /** Where a finished task is in the merge queue: waiting (undefined), verifying in a batch, or being bisected. */
  queue?: 'verifying' | 'bisecting';
  verifyFailures: number;
  /** Times it was merged and then reopened because its own code failed tests once the suite ran. */
  reopens?: number;
  step: number;
  tool?: string;
  reason?: string;
  blockedBy?: string;
  /** The task branch head that was merged (or last finished). */
  commit?: string;
  mergeCommit?: string;
  usage: Usage;
  /** Red runs of the task's own check in its worktree. */
  checkFailures: number;
  /** Coming conflicts a trial merge found while the task's agent worked (each one told to the agent). */
  conflictWarnings?: number;
  /** Test counts on the integration branch right after this task merged. */
  tests?: TestCounts;
  /** Usage of the round in flight, not yet in `usage`. */
  liveUsage: Usage;
  /** Milliseconds spent waiting for the model over all finished rounds. */
  modelMs?: number;
  startedAt?: string;
  finishedAt?: string;
  mergedAt?: string;
  /** A replan replaced this failed task, or dropped this pending one in favour of new tasks. */
  superseded?: boolean;
}

export interface RunState {
  runId: string;
  goal: string;
  repo: string;
  base: string;
  baseCommit: string;
  /** The user's branch the run started from, when it started from one. */
  baseBranch?: string;
  branch: string;
  worktreeRoot: string;
  workers: number;
  verify?: string;
  setup?: string;
  /** Distributed runs: the workers' git remote and the queue address. */
  remote?: string;
  /** What shapes the run, as recorded at its start (and changed by a resume); absent in old logs. */
  settings?: RunSettings;
  /** What agent commands of this coordinator ran under (`settings.sandbox: auto` decided by a probe); absent for remote workers. */
  sandbox?: 'none' | 'bwrap';
  queue?: string;
  status: 'pending' | 'running' | 'succeeded' | 'incomplete' | 'failed' | 'cancelled';
  /** Head of the integration branch: the base commit until something merges. */
  head: string;
  order: string[];
  tasks: Record<string, TaskState>;
  mergeOrder: string[];
  usage: Usage;
  gate?: { mode: GateMode; reason: string };
  /** Merge-queue batches started so far. */
  batches?: number;
  /** Tasks a red batch's search named as the one that broke it. */
  culprits?: number;
  /** Test counts on the integration head: the base's, then after each accepted merge. */
  testHistory: TestCounts[];
  flaky: string[];
  /** On the integration head: tests failing only because the code they reach is not written yet (the last accepted gate's). */
  waiting?: NonNullable<GateReport['waiting']>;
  startedAt?: string;
  finishedAt?: string;
  /** Plan revisions after permanent failures. */
  revisions?: number;
  /** Scaffold and review steps in the integration worktree. */
  steps?: { kind: 'scaffold' | 'review'; outcome: 'committed' | 'unchanged' | 'rejected'; message?: string }[];
  /** Usage and model time per role ('worker', 'resolver'). */
  byRole?: Record<string, Usage & { modelMs: number }>;
  /** Paths each merged task wrote outside its declared `files` (task.undeclared-writes). */
  undeclared?: Record<string, { paths: string[]; declaredBy?: Record<string, string> }>;
  /** Why the run stopped early (e.g. 'budget'). */
  reason?: string;
  reasonMessage?: string;
}

export const initialState = (): RunState => ({
  runId: '', goal: '', repo: '', base: '', baseCommit: '', branch: '', worktreeRoot: '', workers: 1,
  status: 'pending', head: '', order: [], tasks: {}, mergeOrder: [], usage: ZERO_USAGE, testHistory: [], flaky: [],
});

/** A task as it enters a run: at the start, or added by a plan revision. */
export const newTaskState = (t: Task): TaskState => ({
  ...t, status: 'pending', attempts: 0, conflicts: 0, verifyFailures: 0, checkFailures: 0, step: 0, usage: ZERO_USAGE, liveUsage: ZERO_USAGE,
});

// The `tasks` record `reduceOwned` may update in place; set only for the length of one call.
let owned: RunState['tasks'] | undefined;

const patch = (s: RunState, id: string, p: Partial<TaskState>): RunState => {
  const t = s.tasks[id];
  if (!t) return s;
  if (s.tasks === owned) {
    owned[id] = { ...t, ...p };
    return { ...s };
  }
  return { ...s, tasks: { ...s.tasks, [id]: { ...t, ...p } } };
};

/**
 * `reduce` for the one holder of a state nobody else keeps (the run log's own fold): the same
 * result, but the previous state's `tasks` record is updated in place instead of copied, so a
 * fold costs O(events) rather than O(events x tasks). Task objects are still never mutated.
 */
export function reduceOwned(s: RunState, e: RunEvent): RunState {
  owned = s.tasks;
  try {
    return reduce(s, e);
  } finally {
    owned = undefined;
  }
}

/** The run's state is the fold of its log: `events.reduce(reduce, initialState())`. Pure. */
export function reduce(s: RunState, e: RunEvent): RunState {
  switch (e.type) {
    case 'run.started': {
      const tasks: Record<string, TaskState> = {};
      for (const t of e.tasks) tasks[t.id] = newTaskState(t);
      const { type: _t, at, tasks: _ts, settings: _st, ...run } = e;
      const settings = startedSettings(e);
      return { ...s, ...run, ...(settings ? { settings } : {}), status: 'running', head: e.baseCommit, order: e.tasks.map((t) => t.id), tasks, startedAt: at };
    }
    case 'run.resumed':
      return { ...s, status: 'running', settings: e.settings ?? s.settings, finishedAt: undefined, reason: undefined, reasonMessage: undefined };
    case 'task.queued':
      return patch(s, e.taskId, { status: 'queued', attempts: e.attempt, step: 0, tool: undefined, round: e.round.kind });
    case 'task.started':
      return patch(s, e.taskId, { status: 'running', startedAt: s.tasks[e.taskId]?.startedAt ?? e.at });
    case 'task.conflict-warning':
      return patch(s, e.taskId, { conflictWarnings: (s.tasks[e.taskId]?.conflictWarnings ?? 0) + 1 });
    case 'task.step':
      return patch(s, e.taskId, { step: e.step, tool: e.tool, liveUsage: e.usage });
    case 'task.finished': {
      const t = s.tasks[e.taskId];
      if (!t) return s;
      const next = patch(s, e.taskId, {
        status: e.status === 'done' ? 'integrating' : t.status, commit: e.commit ?? t.commit,
        usage: addUsage(t.usage, e.usage), liveUsage: ZERO_USAGE, tool: undefined, step: e.steps,
        checkFailures: t.checkFailures + (e.checkFailures ?? 0),
        ...(e.modelMs !== undefined ? { modelMs: (t.modelMs ?? 0) + e.modelMs } : {}),
      });
      return { ...next, usage: addUsage(s.usage, e.usage), byRole: addRole(s.byRole, e.role ?? 'worker', e.usage, e.modelMs ?? 0) };
    }
    case 'task.merged':
      return {
        ...patch(s, e.taskId, { status: 'merged', queue: undefined, mergeCommit: e.commit, commit: e.taskCommit, mergedAt: e.at, finishedAt: e.at }),
        head: e.commit, mergeOrder: [...s.mergeOrder, e.taskId],
      };
    case 'task.conflict':
      return e.stale
        ? patch(s, e.taskId, { staleConflicts: (s.tasks[e.taskId]?.staleConflicts ?? 0) + 1, queue: undefined })
        : patch(s, e.taskId, { conflicts: (s.tasks[e.taskId]?.conflicts ?? 0) + 1, queue: undefined });
    case 'task.reopened': {
      // Back to waiting for its next round (as after a failed verify); merged again later, it re-enters mergeOrder.
      const t = s.tasks[e.taskId];
      if (!t) return s;
      return { ...patch(s, e.taskId, { status: 'integrating', reopens: (t.reopens ?? 0) + 1, queue: undefined }), mergeOrder: s.mergeOrder.filter((id) => id !== e.taskId) };
    }
    case 'task.verify-failed':
      return patch(s, e.taskId, { verifyFailures: (s.tasks[e.taskId]?.verifyFailures ?? 0) + 1, queue: undefined });
    case 'batch.started':
      return e.tasks.reduce<RunState>((acc, id) => patch(acc, id, { queue: 'verifying' }), { ...s, batches: e.batch });
    case 'batch.verified':
      return e.accepted || e.probe ? s : e.tasks.reduce<RunState>((acc, id) => patch(acc, id, { queue: 'bisecting' }), s);
    case 'batch.bisected':
      return { ...s, culprits: (s.culprits ?? 0) + 1 };
    case 'task.failed':
      return patch(s, e.taskId, { status: 'failed', queue: undefined, reason: e.reason, finishedAt: e.at });
    case 'task.skipped':
      return patch(s, e.taskId, { status: 'skipped', blockedBy: e.blockedBy, reason: `blocked by ${e.blockedBy}`, finishedAt: e.at });
    case 'task.undeclared-writes':
      return { ...s, undeclared: { ...s.undeclared, [e.taskId]: { paths: e.paths, ...(e.declaredBy ? { declaredBy: e.declaredBy } : {}) } } };
    case 'run.gate':
      return { ...s, gate: { mode: e.mode, reason: e.reason }, testHistory: e.tests ? [e.tests] : [] };
    case 'task.gate': {
      const flaky = [...s.flaky, ...e.flaky.filter((f) => !s.flaky.includes(f))];
      if (!e.accepted || !e.tests) return { ...s, flaky };
      return { ...patch(s, e.taskId, { tests: e.tests }), flaky, testHistory: [...s.testHistory, e.tests], ...(e.waiting?.length || s.waiting ? { waiting: e.waiting ?? [] } : {}) };
    }
    case 'plan.revised':
      return applyRevision(s, e);
    case 'run.step':
      return {
        ...s, usage: addUsage(s.usage, e.usage), head: e.commit ?? s.head,
        steps: [...(s.steps ?? []), { kind: e.kind, outcome: e.outcome, message: e.message }],
      };
    case 'run.finished':
      return { ...s, status: e.status, head: e.commit, finishedAt: e.at, ...(e.reason ? { reason: e.reason, reasonMessage: e.message } : {}) };
  }
}

function addRole(byRole: RunState['byRole'], role: string, u: Usage, ms: number): NonNullable<RunState['byRole']> {
  const was = byRole?.[role] ?? { ...ZERO_USAGE, modelMs: 0 };
  return { ...byRole, [role]: { ...addUsage(was, u), modelMs: was.modelMs + ms } };
}
