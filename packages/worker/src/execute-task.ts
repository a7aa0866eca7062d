import path from 'node:path';
import { taskBranch, transcriptPath, type FailureReason, type TaskJob, type TaskProgress, type TaskResult } from '@caid/core';
import { secretValues, type AgentStatus } from '@caid/agent';
import { Transcript } from './transcript.js';
import { prepareRound } from './prepare-round.js';
import { runRoundAgent, type RoundAgentOptions } from './round-agent.js';
import { taskCheck } from './task-check.js';
import { allocatePortBlock } from './port-blocks.js';
import { openJobRepo } from './open-job-repo.js';
import { conflictWarner } from './conflict-warnings.js';
import { boundaryBreach } from './boundary-breach.js';
import { worktreePath } from './prepare-round.js';
import { boundarySnapshot, GitError } from '@caid/git';

export interface WorkerLimits {
  maxSteps: number;
  roundTimeoutMs: number;
  runTimeoutSec: number;
  /** Red runs of a task's own check before the task fails with `check-failed` (default 3). */
  checkAttempts?: number;
  /** Tokens (input + output) one task may use over all its rounds. */
  maxTokens?: number;
}

const REASON: Record<Exclude<AgentStatus, 'finished'>, FailureReason> = {
  'step-limit': 'step-limit', 'time-limit': 'time-limit', 'format-errors': 'format-errors',
  'model-error': 'model-error', cancelled: 'cancelled', 'token-limit': 'token-limit', stopped: 'budget', 'agent-failed': 'agent-failed',
};

/** One round of one task: prepare the worktree, run the agent, commit what it did. */
export async function executeTask(job: TaskJob, ctx: { signal: AbortSignal; progress(p: TaskProgress): void }, o: RoundAgentOptions & { limits: WorkerLimits }): Promise<TaskResult> {
  const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const base = { taskId: job.task.id, attempt: job.attempt };
  const transcript = new Transcript(path.join(job.repo, transcriptPath(job.runId, job.task.id)), secretValues());
  // Rerun after a crash of a round that had already committed its work: report it, do not redo it.
  if (transcript.endedDone(job.attempt)) {
    const commit = await (await openJobRepo(job.repo)).resolve(taskBranch(job.runId, job.task.id));
    if (commit) return { ...base, status: 'done', commit, steps: 0, usage: zero };
  }
  transcript.append({ t: 'round', attempt: job.attempt, round: job.round.kind });
  const done = (r: Omit<TaskResult, 'taskId' | 'attempt'>): TaskResult => {
    transcript.append({ t: 'end', attempt: job.attempt, status: r.status, reason: r.reason, message: r.message });
    return { ...base, ...r };
  };
  if (ctx.signal.aborted) return done({ status: 'failed', reason: 'cancelled', steps: 0, usage: zero });
  // Queued before the run's budget ran out: never start it.
  const stop = o.shouldStop?.();
  if (stop) return done({ status: 'failed', reason: 'budget', message: stop, steps: 0, usage: zero });

  // A block of ports for this round only, free when taken and held against every other task.
  const ports = await allocatePortBlock(`${job.runId}/${job.task.id}`);
  try {
    return await roundInWorktree({ ...job, portBase: ports.base }, ctx, o, transcript, done);
  } catch (e) {
    // git or the file system failing on this task's worktree or branch (an agent broke it, a user
    // deleted the branch) is this task's failure, not the run's; anything else is a bug in caid.
    if (!(e instanceof GitError) && typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    const message = `${(e as Error).message} (the task's worktree is ${worktreePath(job)}; \`caid resume\` repairs it and retries the task)`;
    return done({ status: 'failed', reason: 'error', message, steps: 0, usage: zero });
  } finally {
    ports.release();
  }
}

type Ctx = { signal: AbortSignal; progress(p: TaskProgress): void };
type Done = (r: Omit<TaskResult, 'taskId' | 'attempt'>) => TaskResult;

async function roundInWorktree(job: TaskJob, ctx: Ctx, o: RoundAgentOptions & { limits: WorkerLimits }, transcript: Transcript, done: Done): Promise<TaskResult> {
  const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const repo = await openJobRepo(job.repo);
  // Hard-linked shares only where the sandbox binds them read-only: elsewhere a `run` could write through to the user's files.
  const round = await prepareRound(repo, job, transcript, ctx.signal, { hardlinks: o.sandbox === 'bwrap' && !o.external });
  if (!round.ok) return done({ status: 'failed', reason: round.reason, message: round.message, steps: 0, usage: zero });
  const { wt } = round;
  // A conflict round whose merge came out clean needs no agent: commit the merge and integrate.
  if (job.round.kind === 'conflict' && !round.conflicted.length) {
    return done({ status: 'done', commit: await wt.head(), steps: 0, usage: zero });
  }

  // What lies outside the worktree, recorded before the agent runs and checked before anything is committed.
  const boundary = await boundarySnapshot(repo, wt.path);
  const check = taskCheck(job, wt, { timeoutSec: o.limits.runTimeoutSec, attempts: o.limits.checkAttempts ?? 3, signal: ctx.signal });
  const result = await runRoundAgent(job, wt, round.messages, transcript, ctx, o, async () => {
    const left = await wt.filesWithConflictMarkers(round.conflicted);
    if (left.length) return `conflict markers remain in ${left.join(', ')}; resolve them before you finish.`;
    return check.run();
  }, o.external ? undefined : conflictWarner(job, repo, wt.path, transcript, ctx.progress));

  const title = job.task.title ?? job.task.id;
  const breach = await boundaryBreach(repo, job, wt.path, boundary, transcript);
  if (breach) return done({ status: 'failed', reason: breach.reason, message: breach.message, steps: result.steps, usage: result.usage });
  const nested = await wt.nestedRepos();
  if (nested.length) transcript.append({ t: 'note', text: `not committed: git repositories inside the worktree (${nested.join(', ')}); caid never commits a repository inside a task: copy the files without their .git if they belong in the project` });
  const accounting = { ...(result.role ? { role: result.role } : {}), ...(result.modelMs !== undefined ? { modelMs: result.modelMs } : {}) };
  if (result.status !== 'finished') {
    // Keep whatever the agent wrote on its branch: nothing an agent did is thrown away.
    const unresolved = (await wt.filesWithConflictMarkers(round.conflicted)).length > 0;
    if (unresolved) await wt.abortMerge();
    await wt.commitAll(`caid: ${job.task.id}: partial work (${result.status})`);
    return done({ status: 'failed', reason: REASON[result.status], message: result.message, steps: result.steps, usage: result.usage, ...accounting });
  }
  if (check.gaveUp) {
    await wt.commitAll(`caid: ${job.task.id}: partial work (check failed)`);
    return done({ status: 'failed', reason: 'check-failed', message: `\`${job.task.verify}\` still failed after ${check.failures} tries`, steps: result.steps, usage: result.usage, checkFailures: check.failures, ...accounting });
  }
  const committed = await wt.commitAll(`caid: ${job.task.id}: ${title}\n\n${result.summary ?? ''}`.trim());
  const head = committed ?? await wt.head();
  if (job.round.kind === 'start' && !committed && head === round.base) {
    return done({ status: 'failed', reason: 'no-changes', message: 'the agent finished without changing any file', steps: result.steps, usage: result.usage, ...accounting });
  }
  // A reopened task's unchanged branch is the integration head itself: "integrating" it would put the
  // failing code back without any verify (it is already there).
  if (job.round.kind === 'reopen' && !committed && head === round.integrated) {
    return done({ status: 'failed', reason: 'no-changes', message: 'the agent finished without changing any file; its merged code still fails the tests it was reopened for', steps: result.steps, usage: result.usage, ...accounting });
  }
  return done({ status: 'done', commit: head, summary: result.summary, steps: result.steps, usage: result.usage, ...accounting, ...(check.failures ? { checkFailures: check.failures } : {}) });
}
