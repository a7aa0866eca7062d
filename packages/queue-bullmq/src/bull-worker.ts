import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { TaskJobSchema, type TaskResult } from '@caid/core';
import type { JobHandler } from '@caid/scheduler';
import { logger } from '@caid/log';
import { connectionOptions, type QueueAddress } from './redis-url.js';
import { connectionTrouble } from './connection-trouble.js';

const log = logger('queue-bullmq');

export interface BullWorkerOptions {
  /**
   * A job whose worker stops renewing its lock for this long (process killed, machine gone) is
   * handed to another worker. Default 30 s; the lock is renewed every half of it.
   */
  lockMs?: number;
  /** How often a job may stall before it fails for good (default 3). */
  maxStalls?: number;
}

/**
 * The worker side of the queue: runs the handler for each job, reports progress, and stops a job
 * when the coordinator cancels it. A stopped job fails with UnrecoverableError, so it never retries.
 */
export function startBullWorker(a: QueueAddress, handler: JobHandler, o: BullWorkerOptions & { concurrency: number; cancelChannel: string }) {
  const lockMs = o.lockMs ?? 30_000;
  const cancelled = new Set<string>();
  const worker = new Worker<unknown, TaskResult>(a.name, async (job, _token, signal) => {
    // A cancel can arrive while the job is being handed over, before it counts as running here.
    if (cancelled.has(job.id!)) throw new UnrecoverableError('cancelled');
    const data = TaskJobSchema.parse(job.data);
    const abort = signal ?? new AbortController().signal;
    try {
      return await handler(data, {
        jobId: job.id!,
        signal: abort,
        progress: (p) => { void job.updateProgress({ ...p }).catch(log.dropped('progress report lost (the next one carries the same counters)', { jobId: job.id })); },
      });
    } catch (e) {
      if (abort.aborted) throw new UnrecoverableError('cancelled');
      throw e;
    }
  }, {
    connection: connectionOptions(a, { blocking: true }), prefix: a.prefix, concurrency: Math.max(1, o.concurrency),
    lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: o.maxStalls ?? 3,
  });
  // Connection errors repeat every retry while Redis is away (ioredis reconnects by itself): the
  // first one is a warning, later ones a debug line, and the recovery is said once.
  const trouble = connectionTrouble(log, a.display);
  worker.on('error', trouble.error);

  const sub = new Redis(connectionOptions(a, { blocking: true }));
  sub.on('error', log.dropped('cancel channel connection error (ioredis reconnects; the job queue reports the same outage)'));
  // BullMQ's Worker says 'ready' only once, at start; this connection to the same Redis says it
  // on every reconnect, so the recovery is reported (and the next outage warned about again).
  sub.on('ready', trouble.ready);
  void sub.subscribe(o.cancelChannel).catch((err: unknown) => log.warn({ err, channel: o.cancelChannel }, 'cannot subscribe to the cancel channel: cancelled jobs run to their end'));
  sub.on('message', (_channel, jobId: string) => { cancelled.add(jobId); worker.cancelJob(jobId, 'cancelled'); });

  return {
    worker,
    /** Stops taking jobs, stops the running ones, and waits for them to report. */
    async close() {
      worker.cancelAllJobs('cancelled');
      await worker.close();
      sub.disconnect();
    },
    /** Stops taking jobs and lets the running ones finish. */
    async drain() {
      await worker.close();
      sub.disconnect();
    },
  };
}
