import { prepareWorktreeRoot } from './worktree-root.js';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { integrationBranch, newRunId, runDir, type GateMode, type RunSettings, type InFlight, type Plan, type RunEvent, type RunState, type TaskJob } from '@caid/core';
import type { TaskQueue } from '@caid/scheduler';
import { currentBranch, type Repo } from '@caid/git';
import { recordIntegrationTip } from '@caid/integrator';
import { RunLog } from './run-log.js';
import { defaultWorktreeRoot, openTarget } from './open-target.js';
import { RunLock } from './run-lock.js';
import { checkRunIdFree } from './check-run-id.js';
import { driveRun } from './drive-run.js';
import type { StepAgentResult } from './integration-step.js';
import type { Replanner } from './replan-hook.js';

export interface DriveOptions {
  queue: TaskQueue;
  limits?: { conflictRounds?: number; verifyAttempts?: number; verifyTimeoutMs?: number };
  /** Most finished tasks the merge queue merges and verifies together (default 8). */
  batchMax?: number;
  /** Ms a free lane waits for running tasks before verifying a batch that is not full; 'auto' from the verify's duration. */
  batchWait?: number | 'auto';
  /** Batches verified at once, each on top of the one below it (default: from the cores). */
  verifyConcurrency?: number;
  /** Agent steps between trial merges that warn a running task of a coming conflict; 0 or absent = off. */
  conflictWarnings?: number;
  /** Forces the gate mode; otherwise the plan's, otherwise chosen from the base's state. */
  gate?: GateMode;
  /** JUnit report written by verify, for runners caid does not recognise (overrides the plan's). */
  verifyReport?: string;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent, s: RunState) => void;
  /** Before any task: an agent commits a skeleton to the integration branch (kept only if the gate accepts it). */
  scaffold?: (dir: string) => Promise<StepAgentResult>;
  /** After the last merge: an agent fixes cross-task mismatches (kept only if the gate accepts it). */
  review?: (dir: string, state: RunState) => Promise<StepAgentResult>;
  /** After a permanent failure: the tasks still to run, or null; at most `maxReplans` times. */
  replan?: Replanner;
  maxReplans?: number;
  /** Stop dispatching once this returns a reason (the run's budget); see schedule(). */
  shouldStop?: (s: RunState) => { reason: string; message: string } | undefined;
  /** Values scrubbed from every event before it is written (API keys). */
  secrets?: readonly string[];
  /** How each fresh worktree is made ready (config `include`, `share`, `setupTimeoutMin`). */
  prepare?: TaskJob['prepare'];
  /** Distributed runs: the git remote `caid worker`s clone from and push task branches to. */
  remote?: string;
  /** Distributed runs: the queue's address without credentials, recorded in the log for `caid resume`. */
  queueAddress?: string;
  /** A resumed run: what was in flight when its log stopped. */
  resume?: InFlight;
  /** A resume changed the verify command: the gate's reason is the new command's, not the one recorded at the start. */
  verifyChanged?: boolean;
}

export interface RunOptions extends DriveOptions {
  plan: Plan;
  repoDir: string;
  base?: string;
  workers: number;
  /** Overrides the plan's verify command. */
  verify?: string;
  worktreeRoot?: string;
  runId?: string;
  /** Runs in each new worktree when the plan has no `setup` of its own (config `setup`). */
  setup?: string;
  /** The resolved settings, recorded in `run.started` (with the plan's verify, setup, gate and verify report filled in): what the drive and a resume read. */
  settings?: RunSettings;
  /** The sandbox this coordinator's agents run under (`auto` resolved), recorded in `run.started`. */
  sandbox?: 'none' | 'bwrap';
}

/** A new run: validate everything, then create its log and integration branch, and drive it. */
export async function runPlan(o: RunOptions): Promise<RunState> {
  const base = o.base ?? 'HEAD';
  const { repo, baseCommit } = await openTarget(o.repoDir, base);
  const runId = o.runId ?? newRunId();
  await checkRunIdFree(repo, runId);
  const worktreeRoot = prepareWorktreeRoot(o.worktreeRoot ?? defaultWorktreeRoot(repo.root));

  await repo.excludeLocally('/.caid/');
  const log = RunLog.create(repo.root, runId, o.secrets);
  const lock = RunLock.acquire(repo.root, runId);
  try {
    writeFileSync(path.join(repo.root, runDir(runId), 'plan.json'), `${JSON.stringify(o.plan, null, 2)}\n`);
    const branch = integrationBranch(runId);
    await repo.createBranch(branch, baseCommit);
    recordIntegrationTip(repo, branch, baseCommit);
    const setup = o.plan.setup ?? o.setup;
    const verify = o.verify ?? o.plan.verify;
    const gate = o.gate ?? o.plan.gate;
    const verifyReport = o.verifyReport ?? o.plan.verifyReport;
    // Recorded as the run uses them (the plan's verify, setup, gate and report filled in): the drive and a resume read these.
    let settings: RunSettings | undefined;
    if (o.settings) {
      const { verify: _v, setup: _s, ...given } = o.settings;
      settings = {
        ...given, workers: o.workers, worktreeRoot, ...(verify ? { verify } : {}), ...(setup ? { setup } : {}),
        ...(gate ? { gate } : {}), ...(verifyReport ? { verifyReport } : {}), ...(o.plan.partialProgress ? { partialProgress: true } : {}),
      };
    }
    const baseBranch = await startBranch(repo, base);
    const { event, state } = log.append({
      type: 'run.started', runId, goal: o.plan.goal, repo: repo.root, base, baseCommit, ...(baseBranch ? { baseBranch } : {}), branch, worktreeRoot,
      workers: o.workers, verify, setup, tasks: o.plan.tasks,
      ...(o.remote ? { remote: o.remote, queue: o.queueAddress } : {}),
      ...(settings ? { settings } : {}),
      ...(o.sandbox ? { sandbox: o.sandbox } : {}),
    });
    o.onEvent?.(event, state);
    return await driveRun(repo, log, { ...o, gate, verifyReport });
  } finally {
    lock.release();
  }
}

/** Git reports worktree paths as real paths; keep ours the same so they compare equal. */
/** The branch `base` names (HEAD: the branch checked out), where `caid land` brings the result by default. */
async function startBranch(repo: Repo, base: string): Promise<string | undefined> {
  if (base === 'HEAD') return (await currentBranch(repo)) ?? undefined;
  const name = base.replace(/^refs\/heads\//, '');
  return (await repo.branchExists(name)) ? name : undefined;
}
