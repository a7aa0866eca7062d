import path from 'node:path';
import { InputError, summarize } from '@caid/core';
import { Repo } from '@caid/git';
import { loadRunState, resumeRun } from '@caid/orchestrator';
import type { TaskQueue } from '@caid/scheduler';
import { formatState } from './format-state.js';
import { progressReporter } from './progress-reporter.js';
import { budgetWatch, runtimeSettings, type RuntimeFlags } from './runtime-settings.js';
import { localQueue } from './local-queue.js';
import { onInterrupt } from './interrupt.js';
import { positiveInt } from './parse-flags.js';

export interface ResumeFlags extends RuntimeFlags { repo: string; queue?: string; workers?: string; json?: boolean; quiet?: boolean }

/**
 * `caid resume <runId>`: continues a run whose process stopped (killed, crashed, out of disk),
 * from its log. In-process runs get fresh agents for the rounds that were in flight; distributed
 * runs re-attach to their jobs. Finished work is never redone. Exit codes as `caid run`.
 */
export async function resumeCommand(runId: string, f: ResumeFlags): Promise<number> {
  const repo = await Repo.open(path.resolve(f.repo)).catch(() => { throw new InputError(`${path.resolve(f.repo)} is not a git repository (pass --repo)`); });
  const before = loadRunState(repo.root, runId);
  if (before.status !== 'running') {
    process.stderr.write(`run ${runId} already ended (${before.status}); nothing to resume\n${formatState(before)}\n`);
    if (f.json) process.stdout.write(`${JSON.stringify(summarize(before))}\n`);
    return before.status === 'succeeded' ? 0 : before.status === 'cancelled' ? 130 : 1;
  }
  const runtime = runtimeSettings(f, repo.root, process.env, { workerModels: !before.remote });
  const budget = budgetWatch(runtime.budget);
  let queue: TaskQueue & { close(): Promise<void> };
  if (before.remote) {
    // The log records the address without its password; a password-protected Redis needs --queue.
    const url = f.queue ?? (before.queue?.includes('***') ? undefined : before.queue) ?? process.env.REDIS_URL;
    if (!url) throw new InputError(`pass --queue redis://… for run ${runId} (its recorded address needs a password)`);
    const { bullmqQueue, checkRedis } = await import('@caid/queue-bullmq');
    await checkRedis(url);
    queue = bullmqQueue({ url });
  } else {
    queue = localQueue(runtime, budget, f.workers ? positiveInt(f.workers, '--workers') : before.workers);
  }
  const interrupt = onInterrupt();
  const progress = progressReporter({ quiet: f.quiet });
  if (!f.quiet) progress.note(`resuming run ${runId}${before.remote ? ` on ${before.queue}` : ''}`);
  const final = await resumeRun({
    repoDir: repo.root, runId, queue, signal: interrupt.signal, gate: before.gate?.mode,
    shouldStop: budget.shouldStop, secrets: runtime.secrets,
    prepare: { include: runtime.config.include ?? [], share: runtime.config.share ?? [] },
    onEvent: (e, s) => progress.onEvent(e, s),
  }).finally(async () => { progress.stop(); await queue.close(); });
  interrupt.dispose();
  process.stderr.write(`\n${formatState(final)}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  return final.status === 'succeeded' ? 0 : final.status === 'cancelled' ? 130 : 1;
}
