import os from 'node:os';
import path from 'node:path';
import { InputError, type RunSettingsInput } from '@caid/core';
import { bullmqQueue, checkRedis } from '@caid/queue-bullmq';
import { claimWorkdir, executeRemoteTask } from '@caid/worker';
import { loadConfig } from '@caid/orchestrator';
import { resolveSettings } from './resolve-settings.js';
import { announceSandbox, runtimeSettings } from './runtime-settings.js';
import { logger, withLogContext } from '@caid/log';
import { preflight } from './preflight.js';
import { positiveInt } from './parse-flags.js';

/** The worker's voice on its machine: JSON lines unless on a terminal (`--log-format`, `CAID_LOG_LEVEL`). */
const log = logger('worker');

export interface WorkerFlags {
  given: RunSettingsInput;
  config?: string;
  queue?: string;
  concurrency: string;
  workdir?: string;
  stallTimeout: string;
  /** `--no-preflight` sets false. */
  preflight?: boolean;
}

/**
 * `caid worker`: serves task jobs from the queue until stopped. The model and its key come from
 * this machine's flags and environment; jobs carry neither. Ctrl-C stops taking jobs and lets the
 * running ones finish; a second Ctrl-C quits at once (their jobs stall and another worker reruns them).
 */
export async function workerCommand(f: WorkerFlags): Promise<number> {
  const url = f.queue ?? process.env.REDIS_URL;
  if (!url) throw new InputError('pass --queue redis://host:port[/db] (or set REDIS_URL): the queue the coordinator (`caid run --queue …`) feeds');
  if (!/^rediss?:\/\//.test(url)) throw new InputError(`--queue takes redis://host:port[/db], not "${url}"`);
  const concurrency = positiveInt(f.concurrency, '--concurrency');
  const lockMs = positiveInt(f.stallTimeout, '--stall-timeout') * 1000;
  const workdir = path.resolve(f.workdir ?? path.join(os.homedir(), '.caid', 'worker'));
  // The same resolution as `caid run`: this machine's model, limits, sandbox and agent (jobs carry none of them).
  // A worker has no repository: its config file is the one in the directory it runs in (or --config).
  const config = loadConfig(process.cwd(), f.config).config;
  const settings = resolveSettings(f.given, config, process.env);
  const runtime = runtimeSettings(settings, {}, process.env);
  announceSandbox(runtime.sandboxNotice, (line) => log.info(line));
  await checkRedis(url);
  // As `caid run` does: a wrong --base-url is exit 2 here, not every job this worker takes failing.
  const external = Boolean(settings.agent?.command || settings.agent?.preset);
  if (f.preflight !== false && !external) await preflight(settings, settings.models.resolver ? ['worker', 'resolver'] : ['worker']);
  const release = claimWorkdir(workdir);

  const queue = bullmqQueue({ url, worker: { lockMs } });
  queue.process((job, ctx) => withLogContext({ runId: job.runId, taskId: job.task.id, jobId: ctx.jobId }, async () => {
    const what = { attempt: job.attempt, round: job.round.kind };
    log.info(what, 'job received: task started');
    try {
      const r = await executeRemoteTask(job, ctx, { ...runtime.worker, workdir });
      const done = { ...what, status: r.status, reason: r.reason, message: r.message, steps: r.steps, commit: r.commit, usage: r.usage };
      if (r.status === 'done') log.info(done, 'task finished');
      else log.warn(done, 'task finished without a result');
      return r;
    } catch (err) {
      log.error({ ...what, err }, 'task failed with an error');
      throw err;
    }
  }), { concurrency });
  log.info({ redis: queue.address.display, queue: queue.address.name, prefix: queue.address.prefix, concurrency, workdir }, `caid worker ${process.pid} serving`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(130));
      log.info('stopping: no new jobs; waiting for running ones (Ctrl-C again to quit now)');
      void queue.stopWorking().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await queue.close();
  release();
  return 130;
}
