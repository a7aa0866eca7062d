import { InputError, summarize } from '@caid/core';
import { loadPlan, runPlan } from '@caid/orchestrator';
import { memoryQueue } from '@caid/scheduler';
import { executeTask } from '@caid/worker';
import { modelFromSettings } from './model-settings.js';
import { progressLine } from './progress-printer.js';
import { formatState } from './format-state.js';
import { positiveInt } from './parse-flags.js';
import { distributedQueue } from './distributed-queue.js';

export interface RunFlags {
  plan?: string;
  repo: string;
  base: string;
  workers: string;
  model?: string;
  baseUrl?: string;
  verify?: string;
  json?: boolean;
  quiet?: boolean;
  stream?: boolean;
  worktreeRoot?: string;
  maxSteps: string;
  taskTimeout: string;
  conflictRounds: string;
  verifyAttempts: string;
  /** memory (default) or redis://host:port[/db] */
  queue?: string;
  /** Distributed runs: the git remote workers use (default: the repository itself). */
  remote?: string;
}

/** `caid run`: returns the exit code (0 all merged, 1 failed or skipped tasks, 130 interrupted). */
export async function runCommand(goal: string | undefined, f: RunFlags): Promise<number> {
  if (!f.plan) {
    throw new InputError(goal ? 'planning from a goal is not available yet: write a plan file and pass --plan FILE' : 'pass --plan FILE (YAML or JSON; see README "Plan files")');
  }
  const workers = positiveInt(f.workers, '--workers');
  const limits = {
    maxSteps: positiveInt(f.maxSteps, '--max-steps'),
    roundTimeoutMs: positiveInt(f.taskTimeout, '--task-timeout') * 60_000,
    runTimeoutSec: 600,
  };
  const plan = await loadPlan(f.plan);
  // Distributed: workers (`caid worker`) hold the model and its key; the coordinator needs neither.
  const distributed = await distributedQueue(f);
  const queue = distributed?.queue ?? memoryQueue();
  if (!distributed) {
    const model = modelFromSettings(f);
    queue.process((job, ctx) => executeTask(job, ctx, { model, limits }), { concurrency: workers });
  }

  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\ncaid: interrupted; stopping agents (press Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const say = (line: string) => { if (!f.quiet) process.stderr.write(`${line}\n`); };
  const final = await runPlan({
    plan, repoDir: f.repo, base: f.base, workers, verify: f.verify, worktreeRoot: f.worktreeRoot, queue, signal: abort.signal,
    ...(distributed ? { remote: distributed.remote, queueAddress: distributed.queue.address.display } : {}),
    limits: { conflictRounds: positiveInt(f.conflictRounds, '--conflict-rounds', true), verifyAttempts: positiveInt(f.verifyAttempts, '--verify-attempts') },
    onEvent: (e, s) => { const line = progressLine(e, s); if (line) say(line); },
  }).catch(async (e: unknown) => { await distributed?.queue.close(); throw e; });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await distributed?.queue.close();

  process.stderr.write(`\n${formatState(final)}\n`);
  if (final.status === 'succeeded') process.stderr.write(`\nResult: git -C ${final.repo} log --oneline --graph ${final.branch}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  return final.status === 'succeeded' ? 0 : final.status === 'cancelled' ? 130 : 1;
}
