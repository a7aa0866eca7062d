import path from 'node:path';
import { transcriptPath, type FailureReason, type TaskJob, type TaskProgress, type TaskResult } from '@caid/core';
import { Repo } from '@caid/git';
import type { Model } from '@caid/llm';
import { builtinTools, runAgent, runShell, tailOutput, type AgentStatus } from '@caid/agent';
import { Transcript } from './transcript.js';
import { prepareRound, taskEnv } from './prepare-round.js';

export interface WorkerLimits {
  maxSteps: number;
  roundTimeoutMs: number;
  runTimeoutSec: number;
  /** Red runs of a task's own check before the task fails with `check-failed` (default 3). */
  checkAttempts?: number;
}

const REASON: Record<Exclude<AgentStatus, 'finished'>, FailureReason> = {
  'step-limit': 'step-limit', 'time-limit': 'time-limit', 'format-errors': 'format-errors',
  'model-error': 'model-error', cancelled: 'cancelled',
};

/** One round of one task: prepare the worktree, run the agent, commit what it did. */
export async function executeTask(job: TaskJob, ctx: { signal: AbortSignal; progress(p: TaskProgress): void }, o: { model: Model; limits: WorkerLimits }): Promise<TaskResult> {
  const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const base = { taskId: job.task.id, attempt: job.attempt };
  const transcript = new Transcript(path.join(job.repo, transcriptPath(job.runId, job.task.id)));
  transcript.append({ t: 'round', attempt: job.attempt, round: job.round.kind });
  const done = (r: Omit<TaskResult, 'taskId' | 'attempt'>): TaskResult => {
    transcript.append({ t: 'end', attempt: job.attempt, status: r.status, reason: r.reason, message: r.message });
    return { ...base, ...r };
  };
  if (ctx.signal.aborted) return done({ status: 'failed', reason: 'cancelled', steps: 0, usage: zero });

  const repo = await Repo.open(job.repo);
  const round = await prepareRound(repo, job, transcript, ctx.signal);
  if (!round.ok) return done({ status: 'failed', reason: round.reason, message: round.message, steps: 0, usage: zero });
  const { wt } = round;
  // A conflict round whose merge came out clean needs no agent: commit the merge and integrate.
  if (job.round.kind === 'conflict' && !round.conflicted.length) {
    return done({ status: 'done', commit: await wt.head(), steps: 0, usage: zero });
  }

  // The task's own check runs when the agent says it is done; red sends it back before any merge.
  let checkFailures = 0;
  const check = async (): Promise<string | null> => {
    if (!job.task.verify) return null;
    const r = await runShell(job.task.verify, { cwd: wt.path, timeoutMs: o.limits.runTimeoutSec * 1000, env: taskEnv(job, wt.path), signal: ctx.signal });
    if (r.exitCode === 0) return null;
    checkFailures++;
    if (checkFailures >= (o.limits.checkAttempts ?? 3)) return null;
    return `your task's check \`${job.task.verify}\` failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`}). Fix it, then call finish again.\n${tailOutput(r.output, 3000)}`;
  };

  const result = await runAgent({
    model: o.model,
    tools: builtinTools(wt.path, { runTimeoutSec: o.limits.runTimeoutSec, env: taskEnv(job, wt.path) }),
    messages: round.messages,
    maxSteps: o.limits.maxSteps,
    timeoutMs: o.limits.roundTimeoutMs,
    signal: ctx.signal,
    onMessage: (message) => transcript.append({ t: 'message', message }),
    onStep: (s) => ctx.progress(s),
    validateFinish: async () => {
      const left = await wt.filesWithConflictMarkers(round.conflicted);
      if (left.length) return `conflict markers remain in ${left.join(', ')}; resolve them before you finish.`;
      return check();
    },
  });

  const title = job.task.title ?? job.task.id;
  if (result.status !== 'finished') {
    // Keep whatever the agent wrote on its branch: nothing an agent did is thrown away.
    const unresolved = (await wt.filesWithConflictMarkers(round.conflicted)).length > 0;
    if (unresolved) await wt.abortMerge();
    await wt.commitAll(`caid: ${job.task.id}: partial work (${result.status})`);
    return done({ status: 'failed', reason: REASON[result.status], message: result.message, steps: result.steps, usage: result.usage });
  }
  if (checkFailures >= (o.limits.checkAttempts ?? 3)) {
    await wt.commitAll(`caid: ${job.task.id}: partial work (check failed)`);
    return done({ status: 'failed', reason: 'check-failed', message: `\`${job.task.verify}\` still failed after ${checkFailures} tries`, steps: result.steps, usage: result.usage, checkFailures });
  }
  const committed = await wt.commitAll(`caid: ${job.task.id}: ${title}\n\n${result.summary ?? ''}`.trim());
  const head = await wt.head();
  if (job.round.kind === 'start' && !committed && head === round.base) {
    return done({ status: 'failed', reason: 'no-changes', message: 'the agent finished without changing any file', steps: result.steps, usage: result.usage });
  }
  return done({ status: 'done', commit: head, summary: result.summary, steps: result.steps, usage: result.usage, ...(checkFailures ? { checkFailures } : {}) });
}
