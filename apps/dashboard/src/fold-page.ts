import { initialState, reduce, runStopped, taskWord, type RunEvent, type RunState, type TaskState, type TaskStatus } from '@caid/core';

/** One agent round of a task: its first run, a conflict round, a send-back after a failed verify, or a reopen. */
export interface Round {
  attempt: number;
  kind: 'start' | 'conflict' | 'verify-failed' | 'reopen';
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** 'done', or why the agent stopped. */
  outcome?: string;
  steps?: number;
}

/** What happened to one finished round in the integrator. */
export interface Integration {
  from: string;
  at: string;
  /** 'reopened': merged earlier, sent back because a later merge's suite showed its own code failing. */
  result: 'merged' | 'conflict' | 'verify-failed' | 'reopened';
  detail?: string;
}

/** The history the run state folds away but the page shows: rounds, conflicts, verify output. */
export interface TaskHistory {
  rounds: Round[];
  integrations: Integration[];
  conflicts: { at: string; paths: string[] }[];
  /** Early warnings its agent got while it worked: a trial merge showed a coming conflict. */
  warnings: { at: string; step: number; paths: string[]; tasks: string[] }[];
  verifyFailures: { at: string; command: string; exitCode: number | null; output: string }[];
  /** Times it was sent back after it merged: the tests its code fails, and whose merge showed it. */
  reopens: { at: string; tests: string[]; output: string; by?: string }[];
}

export interface PageState {
  run: RunState;
  history: Record<string, TaskHistory>;
  /** Events folded so far. */
  events: number;
  /** The newest event's time: "now" for a finished run, so its page never changes with the clock. */
  lastAt?: string;
  /** Set by the page, not the fold: the log says running but no live process holds the run's lock. */
  dead?: boolean;
}

/** The five colours of the graph; `queued` waits for a worker and `integrating` still runs. */
export type DisplayStatus = 'waiting' | 'running' | 'merged' | 'failed' | 'skipped';
export const displayStatus = (s: TaskStatus): DisplayStatus =>
  s === 'pending' || s === 'queued' ? 'waiting' : s === 'running' || s === 'integrating' ? 'running' : s;

/**
 * The one word the graph, the table and the task panel show for a task: core's `taskWord`, the
 * same `caid status` prints (a task in flight when its run stopped is `interrupted`).
 */
export const statusWord = (t: Pick<TaskState, 'status' | 'queue'>, run: Pick<RunState, 'status'>, dead = false): string => taskWord(t, runStopped(run.status, dead));

export const initialPage = (): PageState => ({ run: initialState(), history: {}, events: 0 });

export const emptyHistory = (): TaskHistory => ({ rounds: [], integrations: [], conflicts: [], warnings: [], verifyFailures: [], reopens: [] });

/** The page's state is the fold of the run log, like `caid status`; the run part is `core.reduce`. Pure. */
export function foldPage(s: PageState, e: RunEvent): PageState {
  const run = reduce(s.run, e);
  const next: PageState = { run, history: s.history, events: s.events + 1, lastAt: e.at };
  if (e.type === 'run.started') {
    next.history = Object.fromEntries(e.tasks.map((t) => [t.id, emptyHistory()]));
    return next;
  }
  if (!('taskId' in e)) return next;
  const h = s.history[e.taskId];
  if (!h) return next;
  const last = h.rounds.at(-1);
  const withLast = (p: Partial<Round>): TaskHistory => ({ ...h, rounds: last ? [...h.rounds.slice(0, -1), { ...last, ...p }] : h.rounds });
  const finishedAt = last?.finishedAt ?? e.at;
  let changed: TaskHistory;
  switch (e.type) {
    case 'task.queued':
      changed = { ...h, rounds: [...h.rounds, { attempt: e.attempt, kind: e.round.kind, queuedAt: e.at }] };
      break;
    case 'task.started':
      changed = withLast({ startedAt: e.at });
      break;
    case 'task.finished':
      changed = withLast({ finishedAt: e.at, outcome: e.status === 'done' ? 'done' : e.reason ?? 'failed', steps: e.steps });
      break;
    case 'task.merged':
      changed = { ...h, integrations: [...h.integrations, { from: finishedAt, at: e.at, result: 'merged', detail: e.commit }] };
      break;
    case 'task.conflict':
      changed = {
        ...h, conflicts: [...h.conflicts, { at: e.at, paths: e.paths }],
        integrations: [...h.integrations, { from: finishedAt, at: e.at, result: 'conflict', detail: e.paths.join(', ') }],
      };
      break;
    case 'task.conflict-warning':
      changed = { ...h, warnings: [...h.warnings, { at: e.at, step: e.step, paths: e.paths, tasks: e.tasks }] };
      break;
    case 'task.verify-failed':
      changed = {
        ...h, verifyFailures: [...h.verifyFailures, { at: e.at, command: e.command, exitCode: e.exitCode, output: e.output }],
        integrations: [...h.integrations, { from: finishedAt, at: e.at, result: 'verify-failed', detail: `exit ${e.exitCode}` }],
      };
      break;
    case 'task.reopened':
      // A mark at the moment it was reopened: its merge already happened, its next round follows.
      changed = {
        ...h, reopens: [...h.reopens, { at: e.at, tests: e.tests, output: e.output, ...(e.by ? { by: e.by } : {}) }],
        integrations: [...h.integrations, { from: e.at, at: e.at, result: 'reopened', detail: `${e.by ? `by ${e.by}'s merge: ` : ''}${e.tests.join(', ')}` }],
      };
      break;
    default:
      return next;
  }
  next.history = { ...s.history, [e.taskId]: changed };
  return next;
}

/** Counts by display status, for the totals bar. */
export function statusCounts(run: RunState): Record<DisplayStatus, number> {
  const counts: Record<DisplayStatus, number> = { waiting: 0, running: 0, merged: 0, failed: 0, skipped: 0 };
  for (const id of run.order) counts[displayStatus(run.tasks[id]!.status)]++;
  return counts;
}
