import path from 'node:path';
import { runExitCode } from './run-exit-code.js';
import { InputError, summarize, type Plan, type RunSettings, type RunSettingsInput } from '@caid/core';
import { loadConfig, loadPlan, openTarget, runPlan } from '@caid/orchestrator';
import { planFromGoal } from './plan-from-goal.js';
import { PlannerTranscript, plannerHooks } from './planner-hooks.js';
import { renderText } from './render-plan.js';
import { localQueue } from './local-queue.js';
import { modelFromSettings } from './model-settings.js';
import { announceSandbox, budgetWatch, runtimeSettings, type RecordingFlags } from './runtime-settings.js';
import { resolveSettings } from './resolve-settings.js';
import { driveSettings } from './drive-settings.js';
import { progressReporter } from './progress-reporter.js';
import { openDashboard, parsePort } from './serve-command.js';
import { formatState } from './format-state.js';
import { keptAtEnd } from './kept-worktrees-note.js';
import { onInterrupt } from './interrupt.js';
import { distributedQueue } from './distributed-queue.js';
import { preflight } from './preflight.js';
import { landAfterRun, report } from './land-command.js';
import { logger } from '@caid/log';
import { repoFlag, shellArg } from './shell-arg.js';

const clog = logger('cli');

/** `--land`: a refusal (uncommitted changes in the way, a diverged branch) is reported, not thrown: the run itself is done. */
async function landAtEnd(repoDir: string, runId: string): Promise<boolean> {
  try {
    report(await landAfterRun(repoDir, runId));
    return true;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    process.stderr.write(`caid: the run succeeded but was not landed: ${e.message}\n`);
    return false;
  }
}

export interface RunFlags extends RecordingFlags {
  /** The settings given on the command line (see option-groups.ts); the rest comes from config and defaults. */
  given: RunSettingsInput;
  plan?: string;
  repo: string;
  base: string;
  config?: string;
  json?: boolean;
  quiet?: boolean;
  runId?: string;
  /** Serve the dashboard while the run goes (`--ui`, on `--ui-port`). */
  ui?: boolean;
  uiPort?: string;
  /** Distributed runs: the git remote workers use (default: the repository itself). */
  remote?: string;
  /** `--no-preflight` sets false. */
  preflight?: boolean;
  /** After a green run, `caid land` it into the branch it started from. */
  land?: boolean;
}

/** `caid run`: returns the exit code (0 all merged, 1 failed or skipped tasks, 130 interrupted). */
export async function runCommand(goal: string | undefined, f: RunFlags): Promise<number> {
  if (!f.plan && !goal?.trim()) throw new InputError('pass a goal (caid run "add a --json flag") or --plan FILE (YAML or JSON; see README "Plan files")');
  if (f.plan && goal) throw new InputError('pass either a goal or --plan FILE, not both');
  // The repository first: a mistyped --repo should be named as such, not as the missing model or
  // config that a folder which is not there cannot hold.
  const { repo } = await openTarget(f.repo, f.base);
  // Everything below works on the repository's root, wherever in it caid was started: from a
  // sub-folder, f.repo ('.') held no caid.config.yaml, so the run had no model and no settings.
  const root = repo.root;
  const { config, file: configFile } = loadConfig(root, f.config);
  const resolved = resolveSettings(f.given, config, process.env, { repoDir: root });
  // Replanning is on for goal runs unless asked otherwise; the log records the decision.
  const settings: RunSettings = { ...resolved, planner: { ...resolved.planner, replan: resolved.planner.replan ?? !f.plan } };
  const progress = progressReporter({ quiet: f.quiet });
  const say = (line: string) => { if (!f.quiet) progress.note(line); };
  // Distributed: `caid worker`s hold the model and its key. A coordinator running a plan file needs
  // neither, unless it was asked for planner work (scaffold, review, replanning) itself.
  const distributed = await distributedQueue({ queue: settings.queue, remote: f.remote, repo: root });
  if (distributed) settings.queue = distributed.queue.address.display;
  const runtime = runtimeSettings(settings, f, process.env, { workerModels: !distributed });
  const budget = budgetWatch(runtime.budget);
  // The planner (goal runs, replans, scaffold, review) uses the `planner` role's model; a plan-file
  // run without those needs no model of its own (an external agent or a replay may do all the work).
  const { scaffold, review, replan, maxReplans, maxTasks, maxRepairs } = settings.planner;
  const planning = !f.plan || scaffold || review || replan === true;
  const model = planning ? modelFromSettings(settings, 'planner') : undefined;
  // One request per model endpoint before anything is written: a wrong --base-url is exit 2, not a run of failing tasks.
  // (After the plan and the repository are checked, so their errors come first.)
  // An external agent with a named worker model talks to it through the metering endpoint: check it too.
  const external = Boolean(settings.agent?.command || settings.agent?.preset);
  const agentsHere = !distributed && !f.replay && (!external || Boolean(settings.models.worker.model));
  const roles = [...(agentsHere ? ['worker' as const] : []), ...(agentsHere && settings.models.resolver ? ['resolver' as const] : []), ...(model ? ['planner' as const] : [])];
  const transcript = new PlannerTranscript(runtime.secrets);
  let plan: Plan | undefined = f.plan ? await loadPlan(f.plan) : undefined;
  if (f.preflight !== false) await preflight(settings, roles);
  // The plan and config files caid has just read from disk are not work the run misses: after
  // `caid init` they alone made the README's first run warn. The rest are named, so the warning says what.
  const readHere = new Set([f.plan, configFile].filter((p): p is string => Boolean(p)).map((p) => path.resolve(p)));
  const unseen = f.base === 'HEAD' ? await repo.worktree(repo.root).status().then(
    (st) => st.changed.filter((p) => !readHere.has(path.resolve(repo.root, p))),
    (err) => { clog.dropped('checkout status unreadable: no uncommitted-files warning', { repo: repo.root })(err); return []; }) : [];
  if (unseen.length) {
    const named = `${unseen.slice(0, 5).join(', ')}${unseen.length > 5 ? `, and ${unseen.length - 5} more` : ''}`;
    process.stderr.write(`caid: warning: your checkout has uncommitted or untracked files; the run starts from the last commit (HEAD) and does not see them: ${named}\n`);
  }
  if (!plan) {
    plan = await planFromGoal(goal!, { model: model!, repoDir: repo.root, maxTasks, maxRepairs, verify: settings.verify, say, onMessage: transcript.for('plan') });
    say(renderText(plan));
  }
  // A plan without any verify merges whatever the agents commit: say so before anything runs.
  if (!(settings.verify ?? plan.verify) && !plan.tasks.some((t) => t.verify)) {
    process.stderr.write('caid: warning: no gate: the plan has no verify command and no task checks, so merges are not tested (pass --verify CMD or add verify: to the plan)\n');
  }
  announceSandbox(runtime.sandboxNotice, say);
  const queue = distributed?.queue ?? localQueue(runtime, budget, settings.workers);

  const interrupt = onInterrupt();

  const ui = f.ui ? await openDashboard(root, parsePort(f.uiPort ?? '4400', '--ui-port'), '127.0.0.1', true) : undefined;
  const final = await runPlan({
    plan, repoDir: root, base: f.base, workers: settings.workers, verify: settings.verify, queue, signal: interrupt.signal,
    worktreeRoot: settings.worktreeRoot, setup: settings.setup, runId: f.runId, settings, sandbox: runtime.worker.sandbox,
    ...driveSettings(settings),
    shouldStop: budget.shouldStop, secrets: runtime.secrets,
    ...(distributed ? { remote: distributed.remote, queueAddress: distributed.queue.address.display } : {}),
    ...(model && plannerHooks({
      model, plan: { ...plan, verify: settings.verify ?? plan.verify }, scaffold, review, replan: replan ?? false, maxReplans, maxTasks, maxRepairs,
      signal: interrupt.signal, transcript, say,
    })),
    onEvent: (e, s) => {
      if (e.type === 'run.started') transcript.open(s.repo, s.runId);
      progress.onEvent(e, s);
      if (ui && e.type === 'run.started') progress.note(`dashboard: ${ui.url}/runs/${e.runId}`);
    },
  }).finally(async () => { progress.stop(); await ui?.close(); await distributed?.queue.close(); });
  interrupt.dispose();

  process.stderr.write(`\n${formatState(final)}\n${await keptAtEnd(repo, final)}`);
  if (final.status === 'incomplete') process.stderr.write(`\ncaid: goal not reached (${final.reason}): ${final.reasonMessage ?? ''}\n`);
  else if (final.reason) process.stderr.write(`\ncaid: run stopped early (${final.reason}): ${final.reasonMessage ?? ''}\n`);
  if (final.status === 'succeeded' || final.status === 'incomplete') {
    process.stderr.write(`\nResult: git -C ${shellArg(final.repo)} log --oneline --graph ${final.branch}\n`);
    // The README's next step, ready to paste (an incomplete run lands only with --partial).
    const where = repoFlag(final.repo);
    // A run from a detached HEAD has no branch to land into: the command says to name one.
    const into = final.baseBranch ? '' : ' --into BRANCH';
    if (!f.land) process.stderr.write(`Land it:  caid land ${final.runId}${where}${into}${final.status === 'incomplete' ? ' --partial' : ''}\n`);
  }
  if (ui) process.stderr.write(`Dashboard of this run: caid serve --repo ${shellArg(final.repo)}   (then open /runs/${final.runId})\n`);
  const landed = f.land && final.status === 'succeeded' ? await landAtEnd(root, final.runId) : true;
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  if (!landed) return 1;
  return runExitCode(final.status);
}
