import { InputError, summarize } from '@caid/core';
import { loadPlan, runPlan } from '@caid/orchestrator';
import { memoryQueue } from '@caid/scheduler';
import { executeTask } from '@caid/worker';
import { modelFromSettings } from './model-settings.js';
import { progressReporter } from './progress-reporter.js';
import { openDashboard, parsePort } from './serve-command.js';
import { formatState } from './format-state.js';
import { positiveInt } from './parse-flags.js';

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
  /** Serve the dashboard while the run goes (`--ui`, on `--ui-port`). */
  ui?: boolean;
  uiPort?: string;
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
  const model = modelFromSettings(f);
  const queue = memoryQueue();
  queue.process((job, ctx) => executeTask(job, ctx, { model, limits }), { concurrency: workers });

  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\ncaid: interrupted; stopping agents (press Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = progressReporter({ quiet: f.quiet });
  const ui = f.ui ? await openDashboard(f.repo, parsePort(f.uiPort ?? '4400', '--ui-port'), '127.0.0.1', true) : undefined;
  const final = await runPlan({
    plan, repoDir: f.repo, base: f.base, workers, verify: f.verify, worktreeRoot: f.worktreeRoot, queue, signal: abort.signal,
    limits: { conflictRounds: positiveInt(f.conflictRounds, '--conflict-rounds', true), verifyAttempts: positiveInt(f.verifyAttempts, '--verify-attempts') },
    onEvent: (e, s) => {
      progress.onEvent(e, s);
      if (ui && e.type === 'run.started') progress.note(`dashboard: ${ui.url}/runs/${e.runId}`);
    },
  }).finally(async () => { progress.stop(); await ui?.close(); });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  process.stderr.write(`\n${formatState(final)}\n`);
  if (final.status === 'succeeded') process.stderr.write(`\nResult: git -C ${final.repo} log --oneline --graph ${final.branch}\n`);
  if (ui) process.stderr.write(`Dashboard of this run: caid serve --repo ${final.repo}   (then open /runs/${final.runId})\n`);
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  return final.status === 'succeeded' ? 0 : final.status === 'cancelled' ? 130 : 1;
}
