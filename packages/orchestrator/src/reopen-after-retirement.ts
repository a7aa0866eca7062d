import type { TaskQueue } from '@caid/scheduler';

/**
 * The queue, with a reopen round of a merged task held back until that task's worktree retirement
 * (worktreeRetirer, cleanup-run.ts) has settled. The retirement runs in the background from the
 * task's merge; a reopen can be decided moments later (by the next merge's gate). Prepared meanwhile,
 * the round would find the old worktree half parked or discarded: still holding the task's branch
 * (so its branch could not be remade) or vanishing under the round.
 */
export function reopenAfterRetirement(inner: TaskQueue, settledFor: (taskId: string) => Promise<void>): TaskQueue {
  return {
    async enqueue(job, o) {
      if (job.round.kind === 'reopen') await settledFor(job.task.id);
      return inner.enqueue(job, o);
    },
    process: (handler, o) => inner.process(handler, o),
    on: (event, listener) => inner.on(event, listener),
    close: () => inner.close(),
    ...(inner.reserve ? { reserve: () => inner.reserve!() } : {}),
  };
}
