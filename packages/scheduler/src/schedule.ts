import {
  bottomLevels, buildGraph, dependentsOf, jobId, readyTasks,
  type IntegrationOutcome, type NewRunEvent, type Round, type RunState, type TaskJob, type TaskResult,
} from '@caid/core';
import type { TaskQueue } from './task-queue.js';

export interface ScheduleOptions {
  /** The run as folded from its log so far. */
  state: RunState;
  /** Appends one event to the run log and returns the new folded state. */
  emit: (e: NewRunEvent) => Promise<RunState>;
  queue: TaskQueue;
  /** Merges a finished task into the integration branch and verifies it; called one at a time. */
  integrate: (result: TaskResult, state: RunState) => Promise<IntegrationOutcome>;
  makeJob: (taskId: string, attempt: number, round: Round) => TaskJob;
  limits: { conflictRounds: number; verifyAttempts: number };
  signal?: AbortSignal;
}

/**
 * Drives a plan to its end: every ready task is queued (highest bottom level first), each
 * result is integrated in completion order, and conflicts and failed verifies go back to the
 * task's own agent. Resolves with the final state once nothing is in flight.
 */
export function schedule(o: ScheduleOptions): Promise<RunState> {
  let state = o.state;
  const graph = buildGraph({ goal: state.goal, tasks: state.order.map((id) => state.tasks[id]!) });
  const levels = bottomLevels(graph);
  const emit = async (e: NewRunEvent) => { state = await o.emit(e); };
  let inFlight = 0;
  let chain = Promise.resolve();
  // Only a merge makes a task ready: the first pump scans every task, later ones the merged tasks' dependents.
  let candidates: string[] | undefined;

  return new Promise<RunState>((resolve, reject) => {
    const serially = (step: () => Promise<void>) => { chain = chain.then(step).catch(reject); };
    const dispatch = async (taskId: string, round: Round) => {
      if (o.signal?.aborted) return;
      const attempt = state.tasks[taskId]!.attempts + 1;
      await emit({ type: 'task.queued', taskId, attempt, round });
      inFlight++;
      await o.queue.enqueue(o.makeJob(taskId, attempt, round), { jobId: jobId(state.runId, taskId, attempt), priority: levels.get(taskId) ?? 0 });
    };
    const fail = async (taskId: string, reason: string) => {
      await emit({ type: 'task.failed', taskId, reason });
      for (const d of dependentsOf(graph, taskId)) {
        if (state.tasks[d]!.status === 'pending') await emit({ type: 'task.skipped', taskId: d, blockedBy: taskId });
      }
    };
    const pump = async () => {
      const among = candidates;
      candidates = [];
      if (!o.signal?.aborted) {
        for (const id of readyTasks(graph, (t) => state.tasks[t]!.status, levels, among)) await dispatch(id, { kind: 'start' });
      }
      if (inFlight === 0) resolve(finishRun());
    };
    const finishRun = async () => {
      const all = Object.values(state.tasks);
      const status = o.signal?.aborted ? 'cancelled' : all.every((t) => t.status === 'merged') ? 'succeeded' : 'failed';
      await emit({ type: 'run.finished', status, commit: state.head });
      return state;
    };
    const onResult = async (result: TaskResult) => {
      const { taskId } = result;
      await emit({ type: 'task.finished', ...result });
      inFlight--;
      if (o.signal?.aborted) return pump();
      if (result.status === 'failed') return fail(taskId, result.message ? `${result.reason}: ${result.message}` : result.reason ?? 'failed').then(pump);
      const outcome = await o.integrate(result, state);
      if (o.signal?.aborted && outcome.kind !== 'merged') return pump();
      if (outcome.kind === 'merged') {
        await emit({ type: 'task.merged', taskId, commit: outcome.commit, taskCommit: outcome.taskCommit });
        candidates!.push(...graph.outNeighbors(taskId));
      } else if (outcome.kind === 'conflict') {
        await emit({ type: 'task.conflict', taskId, paths: outcome.paths });
        if (state.tasks[taskId]!.conflicts > o.limits.conflictRounds) await fail(taskId, `conflict-unresolved: still conflicting after ${o.limits.conflictRounds} conflict rounds (${outcome.paths.join(', ')})`);
        else await dispatch(taskId, { kind: 'conflict' });
      } else {
        await emit({ type: 'task.verify-failed', taskId, command: outcome.command, exitCode: outcome.exitCode, output: outcome.output });
        if (state.tasks[taskId]!.verifyFailures >= o.limits.verifyAttempts) await fail(taskId, `verify-failed: \`${outcome.command}\` failed after ${o.limits.verifyAttempts} attempts`);
        else await dispatch(taskId, { kind: 'verify-failed', command: outcome.command, output: outcome.output });
      }
      await pump();
    };

    o.queue.on('active', ({ job }) => serially(() => emit({ type: 'task.started', taskId: job.task.id, attempt: job.attempt })));
    o.queue.on('progress', ({ job, progress }) => serially(() => emit({ type: 'task.step', taskId: job.task.id, attempt: job.attempt, ...progress })));
    o.queue.on('completed', ({ result }) => serially(() => onResult(result)));
    o.queue.on('failed', ({ job, error }) => serially(() => onResult({
      taskId: job.task.id, attempt: job.attempt, status: 'failed', reason: error === 'cancelled' ? 'cancelled' : 'error',
      message: error, steps: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    })));
    o.signal?.addEventListener('abort', () => void o.queue.close(), { once: true });
    serially(pump);
  });
}
