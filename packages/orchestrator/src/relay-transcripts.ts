import { EventEmitter } from 'node:events';
import path from 'node:path';
import { transcriptPath, type TaskJob } from '@caid/core';
import { JsonlFile } from '@caid/log';
import { Transcript } from '@caid/worker';
import type { TaskQueue } from '@caid/scheduler';

/**
 * For a distributed run, the coordinator keeps each task's transcript: a worker returns its
 * round's records with the result (appended here, then dropped from the result so the run log
 * stays small), and a follow-up round carries the conversation so far to whichever worker takes it.
 */
export function relayTranscripts(inner: TaskQueue, repoRoot: string, secrets: readonly string[] = []): TaskQueue {
  const events = new EventEmitter();
  const file = (job: TaskJob) => path.join(repoRoot, transcriptPath(job.runId, job.task.id));
  inner.on('active', (e) => events.emit('active', e));
  inner.on('progress', (e) => events.emit('progress', e));
  inner.on('failed', (e) => events.emit('failed', e));
  inner.on('completed', (e) => {
    const { transcript, ...result } = e.result;
    // The worker redacted its own secrets; the coordinator's rule applies too, and a torn line from a killed coordinator is ended.
    if (transcript?.length) new JsonlFile(file(e.job), secrets).append(...transcript);
    events.emit('completed', { ...e, result });
  });
  return {
    enqueue(job, o) {
      return inner.enqueue(job.round.kind === 'start' ? job : { ...job, history: new Transcript(file(job)).messages() }, o);
    },
    process: (handler, o) => inner.process(handler, o),
    on(event, listener) {
      events.on(event, listener as (e: unknown) => void);
    },
    close: () => inner.close(),
  };
}
