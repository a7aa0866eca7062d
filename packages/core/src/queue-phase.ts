import type { TaskState } from './reduce.js';

/**
 * Where a task is, in words shared by `caid status` and the dashboard: a finished task waits in
 * the merge queue, is verified in a batch, or is part of a red batch being searched for its
 * culprit. Other tasks are described by their status alone.
 */
export function taskPhase(t: Pick<TaskState, 'status' | 'queue'>): string {
  if (t.status !== 'integrating') return t.status;
  return t.queue === 'verifying' ? 'verifying' : t.queue === 'bisecting' ? 'bisecting' : 'in queue';
}
