import {
  RunError, batchWaitMs, followUpOutcome, bottomLevels, buildGraph, decide, dependentsOf, estimateWeight, goalUnmet, jobId, pickBatch, readyTasks,
  type RoundOutcome, type RunState, type TaskJob, type TaskResult, type IntegrationOutcome, type NewRunEvent, type Round,
} from '@caid/core';
import type { IntegrateHooks, ScheduleOptions } from './schedule-options.js';

const STORAGE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO']);

/**
 * Drives a plan to its end. Ready tasks are queued highest bottom level first; finished ones wait
 * in the merge queue, which merges and verifies them in batches while agents keep working; every
 * outcome goes through `decide` (core), which applies the conflict and verify limits. Resolves
 * with the final state once nothing is in flight.
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
  const aborted = () => Boolean(o.signal?.aborted);
  // Rounds queued, running, or finished and not yet decided (waiting for or in the merge queue).
  let inFlight = 0;
  let finished = false;
  let chain = Promise.resolve();
  // Which tasks the next pump checks for readiness: after a merge only the merged task's dependents;
  // undefined means every task (at the start, after a plan revision, after a resume re-attached).
  let candidates: string[] | undefined;
  // Priorities of the jobs queued and not yet started, for holdSlot.
  const waiting = new Map<string, number>();
  // The merge queue: finished tasks waiting for the next batch, and whether a batch is under way.
  const mergeWaiting = new Map<string, TaskResult>();
  // Tasks in a batch under way (still in mergeWaiting until their outcome), and how many batches.
  const inBatch = new Set<string>();
  let batches = 0;
  // The batch delay: a timer while a free lane waits for running tasks, and the last verify's duration.
  let lingering: ReturnType<typeof setTimeout> | undefined;
  let lingered = false;
  let lastVerifyMs = o.verifyMs;
  const batchStarts = new Map<number, number>();
  // Worker slots held by finished tasks until their merge is decided (see holdSlot).
  const heldSlots = new Map<string, () => void>();
  const releaseSlot = (taskId: string) => {
    heldSlots.get(taskId)?.();
    heldSlots.delete(taskId);
  };

  return new Promise<RunState>((resolve, reject) => {
    const inChain = <T>(step: () => Promise<T>): Promise<T> => {
      const p = chain.then(step);
      chain = p.then(() => undefined, reject);
      return p;
    };
    const dispatch = async (taskId: string, round: Round) => {
      if (aborted()) return;
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
    // worker slot until that merge is done, so the more critical task gets the slot.
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
      const revision = aborted() || o.shouldStop?.(state) ? null : await o.replan?.(taskId, reason, state);
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
      if (!aborted()) {
        for (const id of readyTasks(graph, (t) => state.tasks[t]!.status, levels, among)) await dispatch(id, { kind: 'start' });
      }
      startBatch();
      if (inFlight === 0 && batches === 0 && !finished) {
        finished = true;
        resolve(finishRun());
      }
    };
    const finishRun = async () => {
      const last = aborted() ? null : await o.beforeFinish?.(state);
      if (last) await emit(last);
      const all = Object.values(state.tasks);
      const done = !aborted() && all.every((t) => t.status === 'merged' || t.superseded);
      // Every task merged is not the goal reached when the gate let red tests stay red (no-regression on a red base).
      const unmet = done ? goalUnmet(state) : undefined;
      const status = aborted() ? 'cancelled' : !done ? 'failed' : unmet ? 'incomplete' : 'succeeded';
      const stop = status === 'failed' ? o.shouldStop?.(state) : unmet ? { reason: 'tests-failing', message: unmet } : undefined;
      await emit({ type: 'run.finished', status, commit: state.head, ...stop });
      return state;
    };
    /** Applies `decide` to one round's outcome, whose event is already in the log. */
    const settle = async (outcome: RoundOutcome) => {
      inFlight--;
      const next = decide(state, outcome, o.limits);
      if (next.kind === 'dispatch-dependents') candidates?.push(...graph.outNeighbors(next.taskId));
      else if (next.kind === 'send-back') await dispatch(next.taskId, next.round);
      else await fail(next.taskId, next.reason);
    };
    const onResult = async (result: TaskResult) => {
      await emit({ type: 'task.finished', ...result });
      if (aborted()) {
        inFlight--;
      } else if (result.status === 'failed') {
        await settle({ kind: 'round-failed', taskId: result.taskId, reason: result.message ? `${result.reason}: ${result.message}` : result.reason ?? 'failed' });
      } else {
        mergeWaiting.set(result.taskId, result);
      }
      await pump();
    };
    const onOutcome = async (result: TaskResult, outcome: IntegrationOutcome) => {
      mergeWaiting.delete(result.taskId);
      const { taskId } = result;
      // A verify cut short by an interrupt is no verdict on the task: only a landed merge is recorded.
      if (aborted() && outcome.kind !== 'merged') {
        inFlight--;
        releaseSlot(taskId);
        return;
      }
      if (outcome.kind !== 'conflict' && outcome.gate) await emit({ type: 'task.gate', taskId, ...outcome.gate });
      if (outcome.kind === 'merged') {
        await emit({ type: 'task.merged', taskId, commit: outcome.commit, taskCommit: outcome.taskCommit });
        await settle({ kind: 'merged', taskId });
        // A merged task whose own code fails once the suite runs goes back to its agent (see the gate's `reopen`).
        for (const r of outcome.gate?.reopen ?? []) {
          if (state.tasks[r.taskId]?.status !== 'merged') continue;
          await emit({ type: 'task.reopened', taskId: r.taskId, tests: r.tests, output: r.output, by: taskId });
          inFlight++;
          await settle({ kind: 'reopened', taskId: r.taskId, tests: r.tests, output: r.output });
        }
      } else if (outcome.kind === 'conflict') {
        await emit({ type: 'task.conflict', taskId, paths: outcome.paths, ...(outcome.stale ? { stale: true } : {}) });
        await settle({ kind: 'conflict', taskId, paths: outcome.paths });
      } else {
        await emit({ type: 'task.verify-failed', taskId, command: outcome.command, exitCode: outcome.exitCode, output: outcome.output });
        await settle({ kind: 'verify-failed', taskId, command: outcome.command, output: outcome.output });
      }
      await pump();
      releaseSlot(taskId);
    };
    // Batches run outside the chain, so results and starts are logged while they verify.
    const startBatch = () => {
      const free = [...mergeWaiting.keys()].filter((id) => !inBatch.has(id));
      if (batches >= (o.pipeline ?? 1) || aborted() || free.length === 0) return;
      const running = inFlight - mergeWaiting.size - waiting.size;
      const wait = lingered ? 0 : batchWaitMs({ setting: o.batchWait ?? 0, waiting: free.length, batchMax: o.batchMax ?? 8, running, lastVerifyMs });
      if (wait > 0) {
        lingering ??= setTimeout(() => {
          lingering = undefined;
          lingered = true;
          void inChain(pump);
        }, wait);
        return;
      }
      clearTimeout(lingering);
      [lingering, lingered] = [undefined, false];
      const ids = pickBatch(free, state, levels, o.batchMax ?? 8);
      const batch = ids.map((id) => mergeWaiting.get(id)!);
      for (const id of ids) inBatch.add(id);
      batches++;
      const hooks: IntegrateHooks = {
        report: (result, outcome) => inChain(() => onOutcome(result, outcome)),
        event: (e) => {
          if (e.type === 'batch.started') batchStarts.set(e.batch, Date.now());
          if (e.type === 'batch.verified' && !e.probe && batchStarts.has(e.batch)) lastVerifyMs = Date.now() - batchStarts.get(e.batch)!;
          return inChain(() => emit(e));
        },
      };
      void o.integrate(batch, state, hooks).then(() => inChain(async () => {
        batches--;
        for (const id of ids) inBatch.delete(id);
        // Interrupted: what the batch left unreported is not an outcome; it is resumed from the log.
        if (aborted()) {
          for (const r of batch) {
            if (mergeWaiting.delete(r.taskId)) inFlight--;
            releaseSlot(r.taskId);
          }
        }
        await pump();
      }), reject);
    };

    // Starts and steps are logged when they happen, not behind the merge in progress: a merge that
    // runs the project's tests can take minutes. The log stays ordered per task.
    const now = (e: NewRunEvent) => { void emit(e).catch(reject); };
    o.queue.on('active', ({ jobId: id, job }) => {
      waiting.delete(id);
      now({ type: 'task.started', taskId: job.task.id, attempt: job.attempt });
    });
    o.queue.on('progress', ({ job, progress: { warning, ...p } }) => now(warning
      ? { type: 'task.conflict-warning', taskId: job.task.id, attempt: job.attempt, step: p.step, paths: warning.paths, tasks: warning.tasks }
      : { type: 'task.step', taskId: job.task.id, attempt: job.attempt, ...p }));
    o.queue.on('completed', ({ result }) => {
      const release = holdSlot(result);
      if (release) heldSlots.set(result.taskId, release);
      // The slot is kept until the merge is decided, unless the round failed (no merge to wait for).
      void inChain(() => onResult(result)).finally(() => { if (result.status !== 'done' || aborted()) releaseSlot(result.taskId); });
    });
    o.queue.on('failed', ({ jobId: id, job, error, code }) => {
      waiting.delete(id);
      // The machine, not the task, failed: stop the run resumably instead of failing the task for good.
      if (code && STORAGE_ERRORS.has(code)) return reject(new RunError(`a worker could not write to disk (${error}); the run stopped. Free disk space or fix permissions, then \`caid resume ${state.runId}\``));
      void inChain(() => onResult({
        taskId: job.task.id, attempt: job.attempt, status: 'failed', reason: error === 'cancelled' ? 'cancelled' : 'error',
        message: error, steps: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      }));
    });
    o.signal?.addEventListener('abort', () => {
      clearTimeout(lingering);
      void o.queue.close();
    }, { once: true });
    const reattach = async () => {
      for (const r of o.resume?.queued ?? []) await enqueue(r.taskId, r.attempt, r.round);
      for (const result of o.resume?.integrating ?? []) {
        inFlight++;
        mergeWaiting.set(result.taskId, result);
      }
      // A conflict, failed verify or reopen was logged but its follow-up never queued: decide again.
      for (const { taskId, round } of o.resume?.followUps ?? []) {
        inFlight++;
        await settle(followUpOutcome(taskId, round));
      }
    };
    void inChain(async () => {
      await reattach();
      candidates = undefined;
      await pump();
    });
  });
}
