import type { RoundLimits, RoundOutcome } from './decide.js';
import type { TaskGraph } from './graph.js';
import type { InFlight } from './in-flight.js';
import type { RoundTimes } from './round-times.js';
import type { RunState } from './reduce.js';
import type { Round, TaskResult } from './task-job.js';

/**
 * The scheduler's own bookkeeping between two steps (schedule-step.ts), as data (no timers, no
 * handles; `step` updates it in place, as `reduceOwned` does the log's fold): what the
 * run log does not say because it is about this process (jobs queued but not started, the merge
 * queue, batches under way, the batch delay).
 */
export interface ScheduleBook {
  /** Rounds queued, running, or finished and not yet decided (waiting for or in the merge queue). */
  inFlight: number;
  /** Jobs queued and not yet started, by job id: their priority (holdsSlot, and what still runs). */
  queued: Map<string, number>;
  /** The merge queue: finished rounds waiting for a batch or in one, in the order they finished. */
  mergeWaiting: TaskResult[];
  /** Tasks of mergeWaiting in a batch under way. */
  inBatch: string[];
  /** Batches under way. */
  batches: number;
  /** The batch delay: no timer, a timer set, or a timer that ran out (the next batch goes at once). */
  linger: 'off' | 'set' | 'expired';
  /** How long the last verify of a whole batch took: `auto`'s batch delay. */
  lastVerifyMs?: number;
  /** When running rounds started and how long finished ones took (`auto` predicts ends from them); none until the loop gives times. */
  rounds?: RoundTimes;
  /** The lane's first batch delay ran out and it waits once more, for rounds predicted to end (merge-queue-rules batchWaitMs). */
  lingerExtended?: boolean;
  /** Which tasks the next pump checks for readiness: undefined = all (start, plan revision, resume). */
  candidates?: string[];
  /** Outcomes still to decide once a failed task's replan is done (see the `failed` input). */
  agenda: RoundOutcome[];
  /** run.finished is under way. */
  finished: boolean;
  /**
   * The gate's base verify is still running: tasks run meanwhile (so a slow suite does not delay
   * every agent), but no batch may merge before the gate knows what the base passes.
   */
  opening: boolean;
}

export const initialBook = (lastVerifyMs?: number, opening = false): ScheduleBook => ({
  inFlight: 0, queued: new Map(), mergeWaiting: [], inBatch: [], batches: 0, linger: 'off', lastVerifyMs, agenda: [], finished: false, opening,
});

/** What the loop around `step` knows when it calls it: the run's settings and what holds now. */
export interface StepContext {
  graph: TaskGraph;
  levels: Map<string, number>;
  limits: RoundLimits;
  batchMax: number;
  batchWait: number | 'auto';
  /** Batches in flight at once. */
  pipeline: number;
  /** Ctrl-C or abort: nothing new starts, and what is cut short is no outcome. */
  aborted: boolean;
  /** Why the run must stop dispatching (a budget spent), if it must. */
  stop?: { reason: string; message: string };
  /** A failed task may be replanned (`--replan`, not stopped): its dependents wait for that. */
  replan: boolean;
  /** The time of this step, ms since the epoch (the loop's clock: `auto`'s batch delay predicts from it). */
  now?: number;
}

/** What happened, as the loop tells `step`. Events it names are already in the run log. */
export type StepInput =
  /** The run starts, or resumes with what was in flight when its log stopped. */
  | { kind: 'begin'; resume?: InFlight }
  /** A queued job started on a worker. */
  | { kind: 'job-started'; jobId: string; at?: number }
  /** A round ended (task.finished logged); `at`: when the queue reported it (ms), if the loop keeps time. */
  | { kind: 'round-finished'; result: TaskResult; at?: number }
  /** A batch reported a task's outcome; its events (merged and reopened, conflict, failed verify) are logged. */
  | { kind: 'integrated'; taskId: string; outcomes: RoundOutcome[] }
  /** A batch ended; what it left unreported was interrupted. */
  | { kind: 'batch-ended'; taskIds: string[] }
  | { kind: 'linger-expired' }
  | { kind: 'verify-measured'; ms: number }
  /** The run's signal fired: what waits to be merged outside a batch is left to the resume. */
  | { kind: 'interrupted' }
  /** The gate's base verify is done (its duration, when it ran to the end): batches may start. */
  | { kind: 'gate-opened'; ms?: number }
  /** A failed task's replan is done (a revision, if any, is logged and in the context's graph). */
  | { kind: 'failed'; taskId: string; revised: boolean };

/** What the loop does, in order. */
export type StepAction =
  /** Log task.queued (unless re-attached on resume) and queue the job. */
  | { kind: 'queue'; taskId: string; round: Round; attempt: number; jobId: string; priority: number; log: boolean }
  | { kind: 'skip'; taskId: string; blockedBy: string }
  /** Log task.failed; with `replan`, ask for a revision, then tell `step` with the `failed` input (nothing else follows it). */
  | { kind: 'fail'; taskId: string; reason: string; replan: boolean }
  /** Merge and verify these waiting rounds as one batch (and drop the batch-delay timer). */
  | { kind: 'batch'; results: TaskResult[] }
  /** Set the batch-delay timer; when it runs out, tell `step` with `linger-expired`. */
  | { kind: 'linger'; ms: number }
  /** The worker slots these tasks held for their merge can go (an interrupt left them undecided). */
  | { kind: 'release'; taskIds: string[] }
  /** Nothing is in flight: the final review, then run.finished. */
  | { kind: 'finish' };

/** What `step` reads of the run: the folded log. */
export type StepState = Pick<RunState, 'runId' | 'tasks'>;
