import { holdsSlot, initialBook, outcomeEvents, step, type RunState, type StepAction, type StepInput, type TaskResult } from '@caid/core';
import { finishRun } from './finish-run.js';
import { onQueueEvents } from './queue-events.js';
import { RunView } from './run-view.js';
import type { ScheduleOptions } from './schedule-options.js';

/**
 * Drives a plan to its end: a loop around core's pure `step`, which makes every decision (what to
 * queue, skip or fail, which finished tasks to merge and verify as a batch, how long to wait for
 * more). The loop performs its actions (log, queue, integrate, timers) and feeds back what happens,
 * one input at a time. Resolves with the final state once nothing is in flight.
 */
export function schedule(o: ScheduleOptions): Promise<RunState> {
  const run = new RunView(o.state, o.emit);
  const aborted = () => Boolean(o.signal?.aborted);
  const book = initialBook(o.verifyMs, Boolean(o.opening));
  let chain = Promise.resolve();
  let lingering: ReturnType<typeof setTimeout> | undefined;
  // Worker slots held by finished tasks until their merge is decided (core holdsSlot).
  const heldSlots = new Map<string, () => void>();
  const releaseSlot = (taskId: string) => {
    heldSlots.get(taskId)?.();
    heldSlots.delete(taskId);
  };
  const decideNow = (input: StepInput) => step(run.state, book, input, {
    graph: run.graph, levels: run.levels, limits: o.limits, batchMax: o.batchMax ?? 8, batchWait: o.batchWait ?? 0,
    pipeline: o.pipeline ?? 1, aborted: aborted(), stop: o.shouldStop?.(run.state), replan: Boolean(o.replan),
    now: Date.now(),
  });

  return new Promise<RunState>((resolve, reject) => {
    /** Inputs are decided one at a time, each after the previous one's actions are done. */
    const serially = <T>(work: () => Promise<T>): Promise<T> => {
      const p = chain.then(work);
      chain = p.then(() => undefined, reject);
      return p;
    };
    const feed = async (input: StepInput) => {
      for (const a of decideNow(input)) await perform(a);
    };
    const perform = async (a: StepAction): Promise<void> => {
      switch (a.kind) {
        case 'queue':
          if (a.log) await run.emit({ type: 'task.queued', taskId: a.taskId, attempt: a.attempt, round: a.round });
          return o.queue.enqueue(o.makeJob(a.taskId, a.attempt, a.round), { jobId: a.jobId, priority: a.priority });
        case 'skip':
          return run.emit({ type: 'task.skipped', taskId: a.taskId, blockedBy: a.blockedBy });
        case 'fail': {
          await run.emit({ type: 'task.failed', taskId: a.taskId, reason: a.reason });
          if (!a.replan) return;
          const revision = await o.replan!(a.taskId, a.reason, run.state);
          if (revision) {
            await run.emit(revision);
            run.rebuild();
          }
          return feed({ kind: 'failed', taskId: a.taskId, revised: Boolean(revision) });
        }
        case 'batch':
          clearTimeout(lingering);
          lingering = undefined;
          return integrate(a.results);
        case 'linger':
          lingering = setTimeout(() => {
            lingering = undefined;
            void serially(() => feed({ kind: 'linger-expired' }));
          }, a.ms);
          return;
        case 'release':
          return a.taskIds.forEach(releaseSlot);
        case 'finish':
          return resolve(finishRun(o, run, aborted));
      }
    };
    // Batches run outside the chain, so results and starts are logged while they verify.
    const integrate = (results: TaskResult[]) => {
      const started = new Map<number, number>();
      void o.integrate(results, run.state, {
        report: (result, outcome) => serially(async () => {
          const { events, outcomes } = outcomeEvents(result.taskId, outcome, run.state);
          // A verify cut short by an interrupt is no verdict on the task: only a landed merge is recorded.
          if (!aborted() || outcome.kind === 'merged') for (const e of events) await run.emit(e);
          await feed({ kind: 'integrated', taskId: result.taskId, outcomes });
        }),
        event: (e) => {
          if (e.type === 'batch.started') started.set(e.batch, Date.now());
          if (e.type === 'batch.verified' && !e.probe && started.has(e.batch)) decideNow({ kind: 'verify-measured', ms: Date.now() - started.get(e.batch)! });
          return serially(() => run.emit(e));
        },
      }).then(() => serially(() => feed({ kind: 'batch-ended', taskIds: results.map((r) => r.taskId) })), reject);
    };

    onQueueEvents(o, run, reject, {
      started: (jobId) => void decideNow({ kind: 'job-started', jobId, at: Date.now() }),
      finished: (result) => {
        const release = o.queue.reserve && holdsSlot(result, run.state, book, run.graph, run.levels) ? o.queue.reserve() : undefined;
        if (release) heldSlots.set(result.taskId, release);
        // When the round ended, not when the chain gets to it (a replan before it can take minutes).
        const at = Date.now();
        // The slot is kept until the merge is decided, unless the round failed (no merge to wait for).
        void serially(async () => {
          await run.emit({ type: 'task.finished', ...result });
          await feed({ kind: 'round-finished', result, at });
        }).finally(() => { if (result.status !== 'done' || aborted()) releaseSlot(result.taskId); });
      },
    });
    o.signal?.addEventListener('abort', () => {
      clearTimeout(lingering);
      void o.queue.close();
      void serially(() => feed({ kind: 'interrupted' }));
    }, { once: true });
    void serially(() => feed({ kind: 'begin', resume: o.resume }));
    o.opening?.then((ms) => serially(() => feed({ kind: 'gate-opened', ms })), reject);
  });
}
