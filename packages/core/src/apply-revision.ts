import type { RunEvent } from './events.js';
import { newTaskState, type RunState, type TaskState } from './reduce.js';

type Revision = Extract<RunEvent, { type: 'plan.revised' }>;

/**
 * Folds a plan revision: new tasks join as pending, pending tasks named again take their new
 * prompt and dependencies, pending tasks left out are skipped. The failed task (and what was
 * dropped) counts as superseded only when the revision added work to replace it.
 */
export function applyRevision(s: RunState, e: Revision): RunState {
  const tasks = { ...s.tasks };
  const order = [...s.order];
  const replaces = e.tasks.some((t) => !s.tasks[t.id]);
  for (const t of e.tasks) {
    const old = tasks[t.id];
    if (old) {
      if (old.status === 'pending') tasks[t.id] = { ...old, ...t };
      continue;
    }
    tasks[t.id] = newTaskState(t);
    order.push(t.id);
  }
  for (const id of e.dropped) {
    const t = tasks[id];
    if (t?.status === 'pending') {
      tasks[id] = { ...t, status: 'skipped', blockedBy: e.failedTaskId, reason: `dropped by a replan after ${e.failedTaskId} failed`, finishedAt: e.at, superseded: replaces };
    }
  }
  const failed = tasks[e.failedTaskId];
  if (failed && replaces) tasks[e.failedTaskId] = { ...failed, superseded: true } satisfies TaskState;
  return { ...s, tasks, order, revisions: (s.revisions ?? 0) + 1 };
}
