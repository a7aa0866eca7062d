import path from 'node:path';
import { InputError, summarize } from '@caid/core';
import { Repo } from '@caid/git';
import { loadRunState, resumeRun } from '@caid/orchestrator';
import type { BullmqTaskQueue } from '@caid/queue-bullmq';
import { formatState } from './format-state.js';
import { progressLine } from './progress-printer.js';

export interface ResumeFlags { repo: string; queue?: string; json?: boolean; quiet?: boolean }

/**
 * `caid resume <runId>`: continues a distributed run whose coordinator stopped, re-attaching to
 * the jobs that are still queued or running; finished tasks are never rerun. Exit codes as `caid run`.
 */
export async function resumeCommand(runId: string, f: ResumeFlags): Promise<number> {
  const repo = await Repo.open(path.resolve(f.repo)).catch(() => { throw new InputError(`${path.resolve(f.repo)} is not a git repository (pass --repo)`); });
  const before = loadRunState(repo.root, runId);
  let queue: BullmqTaskQueue | undefined;
  if (before.status === 'running') {
    if (!before.remote) throw new InputError(`run ${runId} ran with in-process workers; only distributed runs (--queue redis://…) can be resumed so far`);
    // The log records the address without its password; a password-protected Redis needs --queue.
    const url = f.queue ?? (before.queue?.includes('***') ? undefined : before.queue) ?? process.env.REDIS_URL;
    if (!url) throw new InputError(`pass --queue redis://… for run ${runId} (its recorded address needs a password)`);
    const { bullmqQueue, checkRedis } = await import('@caid/queue-bullmq');
    await checkRedis(url);
    queue = bullmqQueue({ url });
  }
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\ncaid: interrupted; cancelling the run\'s jobs (press Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const say = (line: string) => { if (!f.quiet) process.stderr.write(`${line}\n`); };
  if (queue) say(`resuming run ${runId} on ${queue.address.display}`);
  const final = queue
    ? await resumeRun({ repoDir: repo.root, runId, queue, signal: abort.signal, onEvent: (e, s) => { const l = progressLine(e, s); if (l) say(l); } })
      .finally(() => queue.close())
    : before;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.stderr.write(`\n${formatState(final)}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  return final.status === 'succeeded' ? 0 : final.status === 'cancelled' ? 130 : 1;
}
