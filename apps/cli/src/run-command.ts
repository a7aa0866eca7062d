import { InputError, summarize, type TaskProgress } from '@caid/core';
import { loadPlan, runPlan } from '@caid/orchestrator';
import { memoryQueue } from '@caid/scheduler';
import { executeTask } from '@caid/worker';
import { budgetWatch, runtimeSettings, type RuntimeFlags } from './runtime-settings.js';
import { progressLine } from './progress-printer.js';
import { formatState } from './format-state.js';
import { positiveInt } from './parse-flags.js';

export interface RunFlags extends RuntimeFlags {
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
  conflictRounds: string;
  verifyAttempts: string;
}

/** `caid run`: returns the exit code (0 all merged, 1 failed or skipped tasks, 130 interrupted). */
export async function runCommand(goal: string | undefined, f: RunFlags): Promise<number> {
  if (!f.plan) {
    throw new InputError(goal ? 'planning from a goal is not available yet: write a plan file and pass --plan FILE' : 'pass --plan FILE (YAML or JSON; see README "Plan files")');
  }
  const workers = positiveInt(f.workers, '--workers');
  const plan = await loadPlan(f.plan);
  const runtime = runtimeSettings(f, f.repo);
  const budget = budgetWatch(runtime.budget);
  const queue = memoryQueue();
  queue.process(async (job, ctx) => {
    const progress = (p: TaskProgress) => { budget.step(job.task.id, p.usage); ctx.progress(p); };
    const result = await executeTask(job, { ...ctx, progress }, { ...runtime.worker, shouldStop: budget.agentStop });
    budget.roundDone(job.task.id, result.usage);
    return result;
  }, { concurrency: workers });

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
    limits: { conflictRounds: positiveInt(f.conflictRounds, '--conflict-rounds', true), verifyAttempts: positiveInt(f.verifyAttempts, '--verify-attempts') },
    shouldStop: budget.shouldStop, secrets: runtime.secrets,
    onEvent: (e, s) => { const line = progressLine(e, s); if (line) say(line); },
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  process.stderr.write(`\n${formatState(final)}\n`);
  if (final.reason) process.stderr.write(`\ncaid: run stopped early (${final.reason}): ${final.reasonMessage ?? ''}\n`);
  if (final.status === 'succeeded') process.stderr.write(`\nResult: git -C ${final.repo} log --oneline --graph ${final.branch}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  return final.status === 'succeeded' ? 0 : final.status === 'cancelled' ? 130 : 1;
}
