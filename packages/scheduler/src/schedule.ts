import {
  RunError, bottomLevels, buildGraph, dependentsOf, estimateWeight, jobId, readyTasks,
  type InFlight, type IntegrationOutcome, type NewRunEvent, type Round, type RunState, type TaskJob, type TaskResult,
} from '@caid/core';
import type { TaskQueue } from './task-queue.js';

const STORAGE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO']);

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
  /** A resumed run: rounds whose jobs are re-attached, and finished rounds integrated again. */
  resume?: InFlight;
  /** After a task fails for good: a `plan.revised` event to continue with, or null to skip its dependents. */
  replan?: (failedTaskId: string, reason: string, state: RunState) => Promise<NewRunEvent | null>;
  /** Once nothing is left to run, before `run.finished` (the final review): an event to record, or null. */
  beforeFinish?: (state: RunState) => Promise<NewRunEvent | null>;
  /** A reason ('budget') once the run must stop dispatching; its message goes on run.finished. */
  shouldStop?: (state: RunState) => { reason: string; message: string } | undefined;
}

/**
 * Drives a plan to its end: every ready task is queued (highest bottom level first, weighed by
 * the tasks' size estimates), each result is integrated in completion order, and conflicts and
 * failed verifies go back to the task's own agent. Resolves with the final state once nothing
 * is in flight.
 */
export function schedule(o: ScheduleOptions): Promise<RunState> {
  let state = o.state;
  const tasks = () => state.order.map((id) => state.tasks[id]!);
  const build = () => buildGraph({ goal: state.goal, tasks: tasks() });
  let graph = build();
  let levels = bottomLevels(graph, estimateWeight(tasks()));
  // Emits may overlap (starts and steps are logged as they happen): keep the state of the newest.
  let emitted = 0;
  let held = 0;
  const emit = async (e: NewRunEvent) => {
    const seq = ++emitted;
    const next = await o.emit(e);
    if (seq > held) [state, held] = [next, seq];
  };
  let inFlight = 0;
  let finished = false;
  let chain = Promise.resolve();
  // Which tasks the next pump checks for readiness: after a merge, only the merged task's dependents
  // (the common case, kept cheap for large graphs); undefined means every task, which is needed at
  // the start, after a plan revision, and once a resume has re-attached what was in flight.
  let candidates: string[] | undefined;
  // Priorities of the jobs queued and not yet started, for holdSlot.
  const waiting = new Map<string, number>();

  return new Promise<RunState>((resolve, reject) => {
    const serially = (step: () => Promise<void>) => { chain = chain.then(step).catch(reject); };
    const dispatch = async (taskId: string, round: Round) => {
      if (o.signal?.aborted) return;
      const stop = o.shouldStop?.(state);
      if (stop) return round.kind === 'start' ? skipWithDependents(taskId, stop.reason) : fail(taskId, `${stop.reason}: ${stop.message}`);
      const attempt = state.tasks[taskId]!.attempts + 1;
      await emit({ type: 'task.queued', taskId, attempt, round });
      await enqueue(taskId, attempt, round);
    };
    const enqueue = async (taskId: string, attempt: number, round: Round) => {
      inFlight++;
      const id = jobId(state.runId, taskId, attempt);
      const priority = levels.get(taskId) ?? 0;
      waiting.set(id, priority);
      await o.queue.enqueue(o.makeJob(taskId, attempt, round), { jobId: id, priority });
    };
    // A finished task whose merge will make ready a task that outranks every waiting one keeps its
    // worker slot until that merge is done, so the more critical task gets the slot rather than a
    // lower one that happens to be waiting. The slot idles only for the merge, which the critical
    // task has to wait for anyway.
    const holdSlot = (result: TaskResult): (() => void) | undefined => {
      if (!o.queue.reserve || result.status !== 'done' || waiting.size === 0) return undefined;
      let top = -Infinity;
      for (const p of waiting.values()) top = Math.max(top, p);
      const releasesHigher = graph.outNeighbors(result.taskId).some((d) => (levels.get(d) ?? 0) > top
        && state.tasks[d]?.status === 'pending'
        && graph.everyInNeighbor(d, (x) => x === result.taskId || state.tasks[x]!.status === 'merged'));
      return releasesHigher ? o.queue.reserve() : undefined;
    };
    const skipDependents = async (taskId: string) => {
      for (const d of dependentsOf(graph, taskId)) {
        if (state.tasks[d]!.status === 'pending') await emit({ type: 'task.skipped', taskId: d, blockedBy: taskId });
      }
    };
    const fail = async (taskId: string, reason: string) => {
      await emit({ type: 'task.failed', taskId, reason });
      const revision = o.signal?.aborted || o.shouldStop?.(state) ? null : await o.replan?.(taskId, reason, state);
      if (revision) {
        await emit(revision);
        graph = build();
        levels = bottomLevels(graph, estimateWeight(tasks()));
        candidates = undefined;
      }
      await skipDependents(taskId);
    };
    const skipWithDependents = async (taskId: string, blockedBy: string) => {
      await emit({ type: 'task.skipped', taskId, blockedBy });
      await skipDependents(taskId);
    };
    const pump = async () => {
      const among = candidates;
      candidates = [];
      if (!o.signal?.aborted) {
        for (const id of readyTasks(graph, (t) => state.tasks[t]!.status, levels, among)) await dispatch(id, { kind: 'start' });
      }
      if (inFlight === 0 && !finished) {
        finished = true;
        resolve(finishRun());
      }
    };
    const finishRun = async () => {
      const last = o.signal?.aborted ? null : await o.beforeFinish?.(state);
      if (last) await emit(last);
      const all = Object.values(state.tasks);
      const status = o.signal?.aborted ? 'cancelled' : all.every((t) => t.status === 'merged' || t.superseded) ? 'succeeded' : 'failed';
      const stop = status === 'failed' ? o.shouldStop?.(state) : undefined;
      await emit({ type: 'run.finished', status, commit: state.head, ...stop });
      return state;
    };
    const onResult = async (result: TaskResult) => {
      await emit({ type: 'task.finished', ...result });
      await afterFinished(result);
    };
    const afterFinished = async (result: TaskResult) => {
      const { taskId } = result;
      inFlight--;
      if (o.signal?.aborted) return pump();
      if (result.status === 'failed') return fail(taskId, result.message ? `${result.reason}: ${result.message}` : result.reason ?? 'failed').then(pump);
      const outcome = await o.integrate(result, state);
      if (outcome.kind !== 'conflict' && outcome.gate) await emit({ type: 'task.gate', taskId, ...outcome.gate });
      if (o.signal?.aborted && outcome.kind !== 'merged') return pump();
      if (outcome.kind === 'merged') {
        await emit({ type: 'task.merged', taskId, commit: outcome.commit, taskCommit: outcome.taskCommit });
        candidates?.push(...graph.outNeighbors(taskId));
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

    // Starts and steps are logged when they happen, not behind the merge in progress: a merge that
    // runs the project's tests can take minutes, and `caid status` and the dashboard would show every
    // agent frozen meanwhile. The log stays ordered per task: a job starts after it is queued, and
    // reports its steps before it completes.
    const now = (e: NewRunEvent) => { void emit(e).catch(reject); };
    o.queue.on('active', ({ jobId: id, job }) => {
      waiting.delete(id);
      now({ type: 'task.started', taskId: job.task.id, attempt: job.attempt });
    });
    o.queue.on('progress', ({ job, progress }) => now({ type: 'task.step', taskId: job.task.id, attempt: job.attempt, ...progress }));
    o.queue.on('completed', ({ result }) => {
      const release = holdSlot(result);
      serially(() => onResult(result).finally(release));
    });
    o.queue.on('failed', ({ jobId: id, job, error, code }) => {
      waiting.delete(id);
      // The machine, not the task, failed: stop the run resumably instead of failing the task for good.
      if (code && STORAGE_ERRORS.has(code)) return reject(new RunError(`a worker could not write to disk (${error}); the run stopped. Free disk space or fix permissions, then \`caid resume ${state.runId}\``));
      serially(() => onResult({
        taskId: job.task.id, attempt: job.attempt, status: 'failed', reason: error === 'cancelled' ? 'cancelled' : 'error',
        message: error, steps: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      }));
    });
    o.signal?.addEventListener('abort', () => void o.queue.close(), { once: true });
    const reattach = async () => {
      for (const r of o.resume?.queued ?? []) await enqueue(r.taskId, r.attempt, r.round);
      for (const result of o.resume?.integrating ?? []) {
        inFlight++;
        await afterFinished(result);
      }
      for (const f of o.resume?.followUps ?? []) {
        const t = state.tasks[f.taskId]!;
        if (f.round.kind === 'conflict' && t.conflicts > o.limits.conflictRounds) await fail(f.taskId, `conflict-unresolved: still conflicting after ${o.limits.conflictRounds} conflict rounds`);
        else if (f.round.kind === 'verify-failed' && t.verifyFailures >= o.limits.verifyAttempts) await fail(f.taskId, `verify-failed: \`${f.round.command}\` failed after ${o.limits.verifyAttempts} attempts`);
        else await dispatch(f.taskId, f.round);
      }
    };
    serially(async () => {
      await reattach();
      candidates = undefined;
      await pump();
    });
  });
}
