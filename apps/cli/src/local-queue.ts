import type { TaskProgress } from '@caid/core';
import { memoryQueue, type TaskQueue } from '@caid/scheduler';
import { executeTask } from '@caid/worker';
import { logger, withLogContext } from '@caid/log';
import { budgetWatch, type RuntimeSettings } from './runtime-settings.js';

const log = logger('worker');

/** The in-process queue with `workers` agents, each round counted against the run's budget. */
export function localQueue(runtime: RuntimeSettings, budget: ReturnType<typeof budgetWatch>, workers: number): TaskQueue {
  const queue = memoryQueue();
  queue.process((job, ctx) => withLogContext({ runId: job.runId, taskId: job.task.id, jobId: ctx.jobId }, async () => {
    const progress = (p: TaskProgress) => { budget.step(job.task.id, p.usage); ctx.progress(p); };
    log.debug({ attempt: job.attempt, round: job.round.kind }, 'task started');
    const result = await executeTask(job, { ...ctx, progress }, { ...runtime.worker, shouldStop: budget.agentStop });
    log.debug({ attempt: job.attempt, status: result.status, reason: result.reason, message: result.message, steps: result.steps }, 'task finished');
    budget.roundDone(job.task.id, result.usage);
    return result;
  }), { concurrency: workers });
  return queue;
}
