import type { TaskGraph } from './graph.js';
import type { RunState } from './reduce.js';
import type { ScheduleBook } from './schedule-book.js';
import type { TaskResult } from './task-job.js';

/**
 * Whether a finished task keeps its worker slot until its merge is decided: when that merge will
 * make ready a task that outranks every job still waiting for a slot, so the more critical task
 * gets the slot rather than a job queued earlier. Pure.
 */
export function holdsSlot(result: TaskResult, s: RunState, book: ScheduleBook, graph: TaskGraph, levels: ReadonlyMap<string, number>): boolean {
  if (result.status !== 'done' || book.queued.size === 0) return false;
  let top = -Infinity;
  for (const p of book.queued.values()) top = Math.max(top, p);
  return graph.outNeighbors(result.taskId).some((d) => (levels.get(d) ?? 0) > top
    && s.tasks[d]?.status === 'pending'
    && graph.everyInNeighbor(d, (x) => x === result.taskId || s.tasks[x]!.status === 'merged'));
}
