import { EventEmitter } from 'node:events';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { TaskResultSchema, type TaskJob } from '@caid/core';
import type { QueueEvents as Events, TaskQueue } from '@caid/scheduler';
import { connectionOptions, parseQueueUrl, type QueueAddress } from './redis-url.js';
import { toBullPriority } from './bull-priority.js';
import { startBullWorker, type BullWorkerOptions } from './bull-worker.js';
import { logger } from '@caid/log';
import { connectionTrouble } from './connection-trouble.js';

const qlog = logger('queue-bullmq');

export interface BullmqQueueOptions {
  /** `redis://host:port[/db][?prefix=P&name=N]` */
  url: string;
  /** Worker-side tuning: how long a dead worker's job waits before another worker takes it. */
  worker?: BullWorkerOptions;
}

export interface BullmqTaskQueue extends TaskQueue {
  readonly address: QueueAddress;
  /** Worker side: stops taking jobs and waits for the running ones to finish (a graceful scale-down). */
  stopWorking(): Promise<void>;
}

const KEEP = { removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 30 * 86_400 } };
const WAITING = new Set(['waiting', 'prioritized', 'delayed', 'wait']);

/**
 * The TaskQueue on BullMQ + Redis. The instance that enqueues (the coordinator) hears its own jobs'
 * outcomes through BullMQ's event stream; `process` turns the instance into a worker, on any machine.
 * Job ids follow the identity rule, so a re-enqueue (after a Redis restart or by `caid resume`)
 * attaches to the job that is already there instead of running it again.
 */
export function bullmqQueue(o: BullmqQueueOptions): BullmqTaskQueue {
  const address = parseQueueUrl(o.url);
  const { prefix, name } = address;
  const cancelChannel = `${prefix}:${name}:caid-cancel`;
  const events = new EventEmitter();
  /** Jobs this instance enqueued whose outcome it has not reported yet. */
  const open = new Map<string, TaskJob>();
  const priorities = new Map<string, number>();
  let producer: { queue: Queue; watcher: QueueEvents; redis: Redis } | undefined;
  let starting: Promise<NonNullable<typeof producer>> | undefined;
  let worker: Awaited<ReturnType<typeof startBullWorker>> | undefined;
  let closing: Promise<void> | undefined;

  const report = <E extends 'completed' | 'failed'>(event: E, jobId: string, payload: (job: TaskJob) => Omit<Events[E], 'jobId' | 'job'>) => {
    const job = open.get(jobId);
    if (!job) return;
    open.delete(jobId);
    priorities.delete(jobId);
    events.emit(event, { jobId, job, ...payload(job) });
    if (!open.size) events.emit('idle');
  };
  const completed = (jobId: string, value: unknown) => {
    const parsed = TaskResultSchema.safeParse(typeof value === 'string' ? JSON.parse(value) : value);
    if (parsed.success) report('completed', jobId, () => ({ result: parsed.data }));
    else report('failed', jobId, () => ({ error: `worker returned an invalid result: ${parsed.error.message}` }));
  };

  const start = () => (starting ??= (async () => {
    const redis = new Redis(connectionOptions(address, { blocking: false }));
    // Read the event stream from where it stands now, so no event of a job added after this is missed.
    const last = (await redis.xrevrange(`${prefix}:${name}:events`, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
    const watcher = new QueueEvents(name, { connection: connectionOptions(address, { blocking: true }), prefix, lastEventId: last });
    watcher.on('active', ({ jobId }) => { const job = open.get(jobId); if (job) events.emit('active', { jobId, job }); });
    watcher.on('progress', ({ jobId, data }) => {
      const job = open.get(jobId);
      if (job && typeof data === 'object') events.emit('progress', { jobId, job, progress: data as Events['progress']['progress'] });
    });
    watcher.on('completed', ({ jobId, returnvalue }) => completed(jobId, returnvalue));
    watcher.on('failed', ({ jobId, failedReason }) => report('failed', jobId, () => ({ error: failedReason })));
    const trouble = connectionTrouble(qlog, address.display);
    watcher.on('error', trouble.error);
    // BullMQ does not always pass on a dropped connection as an 'error' (seen with a Redis restart
    // while the coordinator waited): ioredis's own 'reconnecting' always says it.
    redis.on('error', trouble.error);
    redis.on('reconnecting', () => trouble.error(new Error(`connection to ${address.display} lost`)));
    const queue = new Queue(name, { connection: redis, prefix });
    queue.on('error', trouble.error);
    await watcher.waitUntilReady();
    // `redis` is connected by now, so each 'ready' is a reconnect. A Redis that lost its data
    // (restarted without persistence) lost our jobs too: add them again.
    redis.on('ready', () => {
      trouble.ready();
      for (const [jobId, job] of open) void attach(queue, jobId, job, priorities.get(jobId) ?? 0).catch(qlog.dropped('could not re-attach a job after a Redis reconnect', { jobId }));
    });
    return (producer = { queue, watcher, redis });
  })());

  /** Adds the job, or attaches to the one already there and reports an outcome it reached unheard. */
  const attach = async (queue: Queue, jobId: string, job: TaskJob, priority: number) => {
    const state = await queue.getJobState(jobId);
    if (state === 'unknown') {
      await queue.add('task', job, { jobId, priority: toBullPriority(priority), attempts: 1, ...KEEP });
      return;
    }
    if (state === 'completed' || state === 'failed') {
      const found = await queue.getJob(jobId);
      if (state === 'completed') completed(jobId, found?.returnvalue);
      else report('failed', jobId, () => ({ error: found?.failedReason ?? 'failed' }));
    }
  };

  return {
    address,
    async enqueue(job, opts) {
      if (closing) throw new Error('queue is closed');
      if (open.has(opts.jobId)) return;
      const { queue } = await start();
      open.set(opts.jobId, job);
      priorities.set(opts.jobId, opts.priority);
      await attach(queue, opts.jobId, job, opts.priority);
    },
    process(handler, opts) {
      if (worker) throw new Error('process() was already called on this queue');
      worker = startBullWorker(address, handler, { ...o.worker, concurrency: opts.concurrency, cancelChannel });
    },
    async stopWorking() {
      await worker?.drain();
    },
    on(event, listener) {
      events.on(event, listener as (e: unknown) => void);
    },
    close() {
      return (closing ??= (async () => {
        if (producer) {
          const { queue, redis } = producer;
          // Waiting jobs are dropped first, so no worker starts one while running ones are stopped.
          for (const jobId of [...open.keys()]) {
            if (WAITING.has(await queue.getJobState(jobId)) && (await queue.remove(jobId)) === 1) report('failed', jobId, () => ({ error: 'cancelled' }));
          }
          // A running job is told to stop wherever its worker is.
          for (const jobId of open.keys()) await redis.publish(cancelChannel, jobId);
        }
        if (worker) await worker.close();
        if (producer) {
          const idle = new Promise<void>((resolve) => { if (!open.size) resolve(); else events.once('idle', resolve); });
          await Promise.race([idle, new Promise((r) => setTimeout(r, 60_000).unref())]);
          await producer.watcher.close();
          await producer.queue.close();
          producer.redis.disconnect();
        }
      })());
    },
  };
}
