import type { TaskJob, TaskProgress, TaskResult } from '@caid/core';

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  progress(p: TaskProgress): void;
}

export type JobHandler = (job: TaskJob, ctx: JobContext) => Promise<TaskResult>;

export interface QueueEvents {
  active: { jobId: string; job: TaskJob };
  progress: { jobId: string; job: TaskJob; progress: TaskProgress };
  completed: { jobId: string; job: TaskJob; result: TaskResult };
  /** The handler threw, or the job was dropped by `close()` before it ran. */
  /** `code`: the error's errno code (ENOSPC, EACCES, ...) when the handler failed on the filesystem. */
  failed: { jobId: string; job: TaskJob; error: string; code?: string };
}

/**
 * Carries ready tasks to workers. The graph stays with the scheduler; a queue knows only jobs.
 * `priority`: higher runs first (the task's bottom level). `enqueue` is a no-op for a known jobId.
 */
export interface TaskQueue {
  enqueue(job: TaskJob, o: { jobId: string; priority: number }): Promise<void>;
  process(handler: JobHandler, o: { concurrency: number }): void;
  on<E extends keyof QueueEvents>(event: E, listener: (e: QueueEvents[E]) => void): void;
  /** Stops taking jobs: running ones see their signal abort, waiting ones fail with 'cancelled'. */
  close(): Promise<void>;
  /**
   * Optional: keeps one worker slot from starting a waiting job until the returned function is
   * called. Called from a `completed` listener, it holds the slot the finished job frees. Queues
   * that cannot hold a slot (workers on other machines) leave it out.
   */
  reserve?(): () => void;
}
