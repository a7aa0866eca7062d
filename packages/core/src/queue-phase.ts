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

/** A run that is no longer running (cancelled, failed, or a log no live process drives). */
export const runStopped = (status: string, dead = false): boolean => dead || (status !== 'running' && status !== 'pending');

/**
 * The one word `caid status`, `--json` and the dashboard show for a task. A task that was in flight
 * when its run stopped (Ctrl-C, `caid abort`, a kill) is `interrupted`: `caid resume` redoes it.
 */
export function taskWord(t: Pick<TaskState, 'status' | 'queue'>, stopped: boolean): string {
  if (stopped && (t.status === 'queued' || t.status === 'running' || t.status === 'integrating')) return 'interrupted';
  return taskPhase(t);
}
