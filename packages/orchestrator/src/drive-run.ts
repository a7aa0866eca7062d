import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { TaskSchema, runDir, type InFlight, type RunEvent, type RunState, type TaskJob } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { integrator } from '@caid/integrator';
import { schedule, type TaskQueue } from '@caid/scheduler';
import type { RunLog } from './run-log.js';
import { cleanupRun } from './cleanup-run.js';
import { relayTranscripts } from './relay-transcripts.js';
import { remoteSync } from './remote-sync.js';

export interface DriveOptions {
  repo: Repo;
  /** The run's log, already holding `run.started` (and, for a resumed run, everything since). */
  log: RunLog;
  integrationWt: Worktree;
  queue: TaskQueue;
  limits: { conflictRounds: number; verifyAttempts: number; verifyTimeoutMs: number };
  /** Distributed runs: the git remote workers clone from and push task branches to. */
  remote?: string;
  /** A resumed run: what was in flight when the log stopped. */
  resume?: InFlight;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent, s: RunState) => void;
}

/** Drives a started run to its end: schedule over the queue, integrate each result, clean up. */
export async function driveRun(o: DriveOptions): Promise<RunState> {
  const { repo, log } = o;
  const { runId, worktreeRoot, verify, setup } = log.current;
  const emit = async (e: Parameters<RunLog['append']>[0]) => {
    const { event, state } = log.append(e);
    o.onEvent?.(event, state);
    return state;
  };
  const sync = o.remote ? remoteSync(repo, runId, o.remote) : undefined;
  await sync?.publishIntegration();
  const queue = o.remote ? relayTranscripts(o.queue, repo.root) : o.queue;

  const integrate = integrator({
    repo, runId, worktree: o.integrationWt, verify, verifyTimeoutMs: o.limits.verifyTimeoutMs, signal: o.signal,
    onVerify: (taskId, output) => writeFileSync(path.join(repo.root, runDir(runId), `verify-${taskId}.log`), output),
  });
  const makeJob = (taskId: string, attempt: number, round: TaskJob['round']): TaskJob => {
    const task = log.current.tasks[taskId]!;
    const job: TaskJob = { runId, repo: repo.root, worktreeRoot, task, attempt, round, setup, verify };
    // A remote job carries only what a worker needs: the task itself, the remote and where to start.
    return o.remote ? { ...job, task: TaskSchema.parse(task), remote: o.remote, base: log.current.head } : job;
  };
  const final = await schedule({
    state: log.current, emit, queue, makeJob, signal: o.signal, resume: o.resume,
    integrate: async (result, state) => {
      await sync?.fetchTask(result.taskId);
      const outcome = await integrate(result, state.tasks[result.taskId]?.title);
      if (outcome.kind === 'merged') await sync?.publishIntegration();
      return outcome;
    },
    limits: o.limits,
  });
  await cleanupRun(repo, final, o.integrationWt.path);
  return final;
}
