import { RunError, type TaskResult } from '@caid/core';
import type { RunView } from './run-view.js';
import type { ScheduleOptions } from './schedule-options.js';

const STORAGE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO']);

/**
 * What the task queue reports, turned into the scheduler's inputs. Starts and steps are logged
 * when they happen, not behind a merge in progress (a merge that runs the project's tests can take
 * minutes); the log stays ordered per task. A job the queue gave up on is a failed round, unless
 * the machine rather than the task failed (a full disk): then the run stops, resumably.
 */
export function onQueueEvents(
  o: ScheduleOptions, run: RunView, reject: (err: unknown) => void,
  to: { started: (jobId: string) => void; finished: (result: TaskResult) => void },
): void {
  const now = (e: Parameters<RunView['emit']>[0]) => { void run.emit(e).catch(reject); };
  o.queue.on('active', ({ jobId, job }) => {
    to.started(jobId);
    now({ type: 'task.started', taskId: job.task.id, attempt: job.attempt });
  });
  o.queue.on('progress', ({ job, progress: { warning, ...p } }) => now(warning
    ? { type: 'task.conflict-warning', taskId: job.task.id, attempt: job.attempt, step: p.step, paths: warning.paths, tasks: warning.tasks }
    : { type: 'task.step', taskId: job.task.id, attempt: job.attempt, ...p }));
  o.queue.on('completed', ({ result }) => to.finished(result));
  o.queue.on('failed', ({ jobId, job, error, code }) => {
    to.started(jobId);
    if (code && STORAGE_ERRORS.has(code)) {
      return reject(new RunError(`a worker could not write to disk (${error}); the run stopped. Free disk space or fix permissions, then \`caid resume ${run.state.runId}\``));
    }
    to.finished({
      taskId: job.task.id, attempt: job.attempt, status: 'failed', reason: error === 'cancelled' ? 'cancelled' : 'error',
      message: error, steps: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    });
  });
}
