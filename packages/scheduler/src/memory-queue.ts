import { EventEmitter } from 'node:events';
import type { TaskJob } from '@caid/core';
import type { JobHandler, QueueEvents, TaskQueue } from './task-queue.js';

interface Waiting { jobId: string; job: TaskJob; priority: number; seq: number }

/** The in-process queue: the default, with no Redis and nothing to install. */
export function memoryQueue(): TaskQueue {
  const events = new EventEmitter();
  const known = new Set<string>();
  const active = new Map<string, AbortController>();
  let waiting: Waiting[] = [];
  let handler: JobHandler | undefined;
  let concurrency = 1;
  let reserved = 0;
  let seq = 0;
  let closed = false;

  const run = async (w: Waiting) => {
    const ac = new AbortController();
    active.set(w.jobId, ac);
    events.emit('active', { jobId: w.jobId, job: w.job });
    try {
      const progress = (p: QueueEvents['progress']['progress']) => events.emit('progress', { jobId: w.jobId, job: w.job, progress: p });
      const result = await handler!(w.job, { jobId: w.jobId, signal: ac.signal, progress });
      events.emit('completed', { jobId: w.jobId, job: w.job, result });
    } catch (e) {
      events.emit('failed', { jobId: w.jobId, job: w.job, error: (e as Error).message, code: (e as NodeJS.ErrnoException).code });
    } finally {
      active.delete(w.jobId);
      pump();
    }
  };
  const pump = () => {
    while (handler && !closed && active.size + reserved < concurrency && waiting.length) {
      void run(waiting.shift()!);
    }
  };

  return {
    async enqueue(job, o) {
      if (closed) throw new Error('queue is closed');
      if (known.has(o.jobId)) return;
      known.add(o.jobId);
      waiting.push({ jobId: o.jobId, job, priority: o.priority, seq: seq++ });
      waiting.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      queueMicrotask(pump);
    },
    process(h, o) {
      handler = h;
      concurrency = Math.max(1, o.concurrency);
      queueMicrotask(pump);
    },
    on(event, listener) {
      events.on(event, listener as (e: unknown) => void);
    },
    reserve() {
      reserved++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        reserved--;
        queueMicrotask(pump);
      };
    },
    async close() {
      closed = true;
      const dropped = waiting;
      waiting = [];
      for (const w of dropped) events.emit('failed', { jobId: w.jobId, job: w.job, error: 'cancelled' });
      for (const ac of active.values()) ac.abort();
    },
  };
}
