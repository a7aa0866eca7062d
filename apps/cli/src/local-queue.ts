import type { TaskProgress } from '@caid/core';
import { memoryQueue, type TaskQueue } from '@caid/scheduler';
import { executeTask } from '@caid/worker';
import { budgetWatch, type RuntimeSettings } from './runtime-settings.js';

/** The in-process queue with `workers` agents, each round counted against the run's budget. */
export function localQueue(runtime: RuntimeSettings, budget: ReturnType<typeof budgetWatch>, workers: number): TaskQueue {
  const queue = memoryQueue();
  queue.process(async (job, ctx) => {
    const progress = (p: TaskProgress) => { budget.step(job.task.id, p.usage); ctx.progress(p); };
    const result = await executeTask(job, { ...ctx, progress }, { ...runtime.worker, shouldStop: budget.agentStop });
    budget.roundDone(job.task.id, result.usage);
    return result;
  }, { concurrency: workers });
  return queue;
}
