import path from 'node:path';
import { InputError } from '@caid/core';
import { Repo } from '@caid/git';
import type { BullmqTaskQueue } from '@caid/queue-bullmq';
import { logger } from '@caid/log';

const clog = logger('cli');

export interface Distributed {
  queue: BullmqTaskQueue;
  /** The git remote workers clone from: `--remote`, else the repository itself. */
  remote: string;
}

/**
 * `--queue memory` (the default) → undefined; `--queue redis://…` → the BullMQ queue, after Redis
 * answered, so a wrong URL is bad input (exit 2) before anything is written.
 */
export async function distributedQueue(f: { queue?: string; remote?: string; repo: string }): Promise<Distributed | undefined> {
  if (!f.queue || f.queue === 'memory') {
    if (f.remote) throw new InputError('--remote only applies with --queue redis://… (workers on other machines)');
    return undefined;
  }
  if (!/^rediss?:\/\//.test(f.queue)) throw new InputError(`--queue takes memory or redis://host:port[/db], not "${f.queue}"`);
  // Loaded on use, so runs with in-process workers never load the Redis client.
  const { bullmqQueue, checkRedis } = await import('@caid/queue-bullmq');
  await checkRedis(f.queue);
  const repo = await Repo.open(path.resolve(f.repo)).catch(clog.dropped('not a repository: the remote is the path as given', { repo: f.repo }));
  return { queue: bullmqQueue({ url: f.queue }), remote: f.remote ?? repo?.root ?? path.resolve(f.repo) };
}
