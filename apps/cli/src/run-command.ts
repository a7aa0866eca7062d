import { GATE_MODES, InputError, summarize, type GateMode, type Plan } from '@caid/core';
import { loadPlan, openTarget, runPlan } from '@caid/orchestrator';
import { DEFAULT_MAX_REPAIRS, DEFAULT_MAX_TASKS } from '@caid/planner';
import { planFromGoal } from './plan-from-goal.js';
import { PlannerTranscript, plannerHooks } from './planner-hooks.js';
import { renderText } from './render-plan.js';
import { localQueue } from './local-queue.js';
import { modelFromSettings } from './model-settings.js';
import { budgetWatch, runtimeSettings, type RuntimeFlags } from './runtime-settings.js';
import { progressReporter } from './progress-reporter.js';
import { openDashboard, parsePort } from './serve-command.js';
import { formatState } from './format-state.js';
import { onInterrupt } from './interrupt.js';
import { positiveInt, positiveNumber } from './parse-flags.js';
import { worktreeRootFromConfig } from './worktree-root.js';
import { distributedQueue } from './distributed-queue.js';

export interface RunFlags extends RuntimeFlags {
  plan?: string;
  repo: string;
  base: string;
  workers: string;
  verify?: string;
  json?: boolean;
  quiet?: boolean;
  worktreeRoot?: string;
  conflictRounds: string;
  verifyAttempts: string;
  gate?: string;
  verifyReport?: string;
  runId?: string;
  verifyTimeout: string;
  maxTasks?: string;
  maxRepairs?: string;
  scaffold?: boolean;
  review?: boolean;
  /** Undefined: on for goal runs, off for plan files. */
  replan?: boolean;
  maxReplans: string;
  /** Serve the dashboard while the run goes (`--ui`, on `--ui-port`). */
  ui?: boolean;
  uiPort?: string;
  /** memory (default) or redis://host:port[/db] */
  queue?: string;
  /** Distributed runs: the git remote workers use (default: the repository itself). */
  remote?: string;
}

/** `caid run`: returns the exit code (0 all merged, 1 failed or skipped tasks, 130 interrupted). */
export async function runCommand(goal: string | undefined, f: RunFlags): Promise<number> {
  if (!f.plan && !goal?.trim()) throw new InputError('pass a goal (caid run "add a --json flag") or --plan FILE (YAML or JSON; see README "Plan files")');
  if (f.plan && goal) throw new InputError('pass either a goal or --plan FILE, not both');
  const workers = positiveInt(f.workers, '--workers');
  if (f.gate && !(GATE_MODES as readonly string[]).includes(f.gate)) throw new InputError(`--gate takes ${GATE_MODES.join(' or ')}, not "${f.gate}"`);
  const maxTasks = positiveInt(f.maxTasks ?? String(DEFAULT_MAX_TASKS), '--max-tasks');
  const maxRepairs = positiveInt(f.maxRepairs ?? String(DEFAULT_MAX_REPAIRS), '--max-repairs', true);
  const maxReplans = positiveInt(f.maxReplans, '--max-replans', true);
  const conflictRounds = positiveInt(f.conflictRounds, '--conflict-rounds', true);
  const verifyAttempts = positiveInt(f.verifyAttempts, '--verify-attempts');
  const verifyTimeoutMs = positiveNumber(f.verifyTimeout, '--verify-timeout') * 60_000;
  const progress = progressReporter({ quiet: f.quiet });
  const say = (line: string) => { if (!f.quiet) progress.note(line); };
  // Distributed: `caid worker`s hold the model and its key. A coordinator running a plan file needs
  // neither, unless it was asked for planner work (scaffold, review, replanning) itself.
  const distributed = await distributedQueue(f);
  const runtime = runtimeSettings(f, f.repo, process.env, { workerModels: !distributed });
  const budget = budgetWatch(runtime.budget);
  // The planner (goal runs, replans, scaffold, review) uses the `planner` role's model; a plan-file
  // run without those needs no model of its own (an external agent or a replay may do all the work).
  const planning = !f.plan || f.scaffold || f.review || f.replan === true;
  const model = planning ? modelFromSettings(f, process.env, runtime.config, 'planner') : undefined;
  const transcript = new PlannerTranscript(runtime.secrets);
  let plan: Plan;
  if (f.plan) plan = await loadPlan(f.plan);
  else {
    const { repo } = await openTarget(f.repo, f.base);
    plan = await planFromGoal(goal!, { model: model!, repoDir: repo.root, maxTasks, maxRepairs, verify: f.verify, say, onMessage: transcript.for('plan') });
    say(renderText(plan));
  }
  const queue = distributed?.queue ?? localQueue(runtime, budget, workers);

  const interrupt = onInterrupt();

  const ui = f.ui ? await openDashboard(f.repo, parsePort(f.uiPort ?? '4400', '--ui-port'), '127.0.0.1', true) : undefined;
  const final = await runPlan({
    plan, repoDir: f.repo, base: f.base, workers, verify: f.verify, queue, signal: interrupt.signal,
    worktreeRoot: f.worktreeRoot ?? worktreeRootFromConfig(runtime.config, f.repo), setup: runtime.config.setup,
    prepare: {
      include: runtime.config.include ?? [], share: runtime.config.share ?? [],
      ...(runtime.config.setupTimeoutMin ? { setupTimeoutMs: runtime.config.setupTimeoutMin * 60_000 } : {}),
    },
    gate: f.gate as GateMode | undefined, verifyReport: f.verifyReport, runId: f.runId,
    limits: { conflictRounds, verifyAttempts, verifyTimeoutMs },
    shouldStop: budget.shouldStop, secrets: runtime.secrets,
    ...(distributed ? { remote: distributed.remote, queueAddress: distributed.queue.address.display } : {}),
    ...(model && plannerHooks({
      model, plan: { ...plan, verify: f.verify ?? plan.verify }, scaffold: f.scaffold, review: f.review, replan: f.replan ?? !f.plan, maxReplans, maxTasks,
      signal: interrupt.signal, transcript, say,
    })),
    onEvent: (e, s) => {
      if (e.type === 'run.started') transcript.open(s.repo, s.runId);
      progress.onEvent(e, s);
      if (ui && e.type === 'run.started') progress.note(`dashboard: ${ui.url}/runs/${e.runId}`);
    },
  }).finally(async () => { progress.stop(); await ui?.close(); await distributed?.queue.close(); });
  interrupt.dispose();

  process.stderr.write(`\n${formatState(final)}\n`);
  if (final.reason) process.stderr.write(`\ncaid: run stopped early (${final.reason}): ${final.reasonMessage ?? ''}\n`);
  if (final.status === 'succeeded') process.stderr.write(`\nResult: git -C ${final.repo} log --oneline --graph ${final.branch}\n`);
  if (ui) process.stderr.write(`Dashboard of this run: caid serve --repo ${final.repo}   (then open /runs/${final.runId})\n`);
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  return final.status === 'succeeded' ? 0 : final.status === 'cancelled' ? 130 : 1;
}
