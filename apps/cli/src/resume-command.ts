import { runExitCode } from './run-exit-code.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, PlanSchema, runDir, summarize, type Plan, type RunSettings, type RunSettingsInput, type RunState } from '@caid/core';
import { Repo } from '@caid/git';
import { isAlive, loadConfig, loadRunState, readOwner, resumeRun, tidyEndedRun } from '@caid/orchestrator';
import type { TaskQueue } from '@caid/scheduler';
import { formatState } from './format-state.js';
import { keptAtEnd } from './kept-worktrees-note.js';
import { progressReporter } from './progress-reporter.js';
import { announceSandbox, budgetWatch, runtimeSettings, type RecordingFlags } from './runtime-settings.js';
import { changedSettings, resolveSettings } from './resolve-settings.js';
import { driveSettings } from './drive-settings.js';
import { localQueue } from './local-queue.js';
import { onInterrupt } from './interrupt.js';
import { modelFromSettings } from './model-settings.js';
import { PlannerTranscript, plannerHooks } from './planner-hooks.js';
import { logger } from '@caid/log';

const clog = logger('cli');

export interface ResumeFlags extends RecordingFlags { given: RunSettingsInput; repo: string; json?: boolean; quiet?: boolean }

/**
 * `caid resume <runId>`: continues a run that stopped (Ctrl-C, `caid abort`, killed, crashed, out
 * of disk) from its log, with the settings it recorded; a flag given here overrides a setting and
 * the change is logged. In-process runs get fresh agents for the rounds that were in flight;
 * distributed runs re-attach to their jobs. Finished work is never redone. Exit codes as `caid run`.
 */
export async function resumeCommand(runId: string, f: ResumeFlags): Promise<number> {
  const repo = await Repo.open(path.resolve(f.repo)).catch((err: unknown) => { clog.debug({ err, repo: f.repo }, 'cannot open the repository'); throw new InputError(`${path.resolve(f.repo)} is not a git repository (pass --repo)`); });
  const before = loadRunState(repo.root, runId);
  if (before.status === 'succeeded' || before.status === 'incomplete' || before.status === 'failed') {
    // Killed between run.finished and the end of its cleanup: finish that cleanup now.
    await tidyEndedRun(repo, before);
    process.stderr.write(`run ${runId} already ended (${before.status}); nothing to resume\n${formatState(before)}\n`);
    if (f.json) process.stdout.write(`${JSON.stringify(summarize(before))}\n`);
    return runExitCode(before.status);
  }
  // A live run is refused before anything is printed or started (the lock would refuse it later,
  // after "resuming run …" had already been said).
  const owner = readOwner(repo.root, runId);
  if (owner && isAlive(owner)) throw new InputError(`run ${runId} is still going (process ${owner.pid} on ${owner.host}); stop it with \`caid abort ${runId}\` or wait for it to end`);
  const settings = resumeSettings(before, f.given, repo.root);
  const changed = before.settings ? changedSettings(before.settings, settings) : [];
  const runtime = runtimeSettings(settings, f, process.env, { workerModels: !before.remote });
  const budget = budgetWatch(runtime.budget);
  let queue: TaskQueue & { close(): Promise<void> };
  if (before.remote) {
    // The log records the address without its password; a password-protected Redis needs --queue.
    const url = f.given.queue ?? (before.queue?.includes('***') ? undefined : before.queue) ?? process.env.REDIS_URL;
    if (!url) throw new InputError(`pass --queue redis://… for run ${runId} (its recorded address needs a password)`);
    const { bullmqQueue, checkRedis } = await import('@caid/queue-bullmq');
    await checkRedis(url);
    queue = bullmqQueue({ url });
  } else {
    queue = localQueue(runtime, budget, settings.workers);
  }
  const interrupt = onInterrupt();
  const progress = progressReporter({ quiet: f.quiet });
  if (!f.quiet) progress.note(`resuming run ${runId}${before.remote ? ` on ${before.queue}` : ''}${changed.length ? ` (changed: ${changed.join(', ')})` : ''}`);
  announceSandbox(runtime.sandboxNotice, (line) => { if (!f.quiet) progress.note(line); });
  const transcript = new PlannerTranscript(runtime.secrets);
  transcript.open(repo.root, runId);
  const { scaffold, review, replan, maxReplans, maxTasks, maxRepairs } = settings.planner;
  const model = scaffold || review || replan ? modelFromSettings(settings, 'planner') : undefined;
  const final = await resumeRun({
    repoDir: repo.root, runId, queue, signal: interrupt.signal, settings, changed,
    ...driveSettings(settings),
    // The gate keeps the mode the run chose when it started.
    gate: before.gate?.mode ?? settings.gate,
    shouldStop: budget.shouldStop, secrets: runtime.secrets,
    ...(model && plannerHooks({
      model, plan: recordedPlan(repo.root, before), scaffold, review, replan: replan ?? false, maxReplans, maxTasks, maxRepairs,
      signal: interrupt.signal, transcript, say: (l) => { if (!f.quiet) progress.note(l); },
    })),
    onEvent: (e, s) => progress.onEvent(e, s),
  }).finally(async () => { progress.stop(); await queue.close(); });
  interrupt.dispose();
  process.stderr.write(`\n${formatState(final)}\n${await keptAtEnd(repo, final)}`);
  if (f.json) process.stdout.write(`${JSON.stringify(summarize(final))}\n`);
  return runExitCode(final.status);
}

/** The run's recorded settings with resume's flags over them; a run logged before settings were recorded resolves them as `caid run` would. */
function resumeSettings(before: RunState, given: RunSettingsInput, repoRoot: string): RunSettings {
  if (before.settings) return resolveSettings(given, {}, process.env, { recorded: before.settings, repoDir: repoRoot });
  const legacy = resolveSettings({ workers: before.workers, ...given }, loadConfig(repoRoot).config, process.env, { repoDir: repoRoot });
  // What the log itself says the run used: its worktree root, verify and setup (the config's setup applied only without the plan's).
  const { verify: _v, setup: _s, ...rest } = legacy;
  return { ...rest, worktreeRoot: before.worktreeRoot, ...(before.verify ? { verify: before.verify } : {}), ...(before.setup ? { setup: before.setup } : {}) };
}

/** The plan the run started from (`plan.json`), for a scaffold the resumed run has still to do; else its goal and tasks. */
function recordedPlan(repoRoot: string, s: RunState): Plan {
  const file = path.join(repoRoot, runDir(s.runId), 'plan.json');
  const parsed = existsSync(file) ? PlanSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  return parsed?.success ? parsed.data : PlanSchema.parse({ goal: s.goal, verify: s.verify, setup: s.setup, tasks: s.order.map((id) => s.tasks[id]) });
}
