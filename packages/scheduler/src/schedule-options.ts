import type { IntegrationOutcome, InFlight, NewRunEvent, Round, RoundLimits, RunState, TaskJob, TaskResult } from '@caid/core';
import type { TaskQueue } from './task-queue.js';

export interface IntegrateHooks {
  /** A task's outcome, as soon as it is known (a batch reports its tasks one by one). */
  report: (result: TaskResult, outcome: IntegrationOutcome) => Promise<void>;
  /** Records a merge-queue event (batch started, verified, bisected). */
  event: (e: NewRunEvent) => Promise<void>;
}

export interface ScheduleOptions {
  /** The run as folded from its log so far. */
  state: RunState;
  /** Appends one event to the run log and returns the new folded state. */
  emit: (e: NewRunEvent) => Promise<RunState>;
  queue: TaskQueue;
  /**
   * Merges a batch of finished tasks into the integration branch and verifies it, reporting each
   * task's outcome through `hooks`; one batch at a time. A task left unreported was interrupted.
   */
  integrate: (results: TaskResult[], state: RunState, hooks: IntegrateHooks) => Promise<void>;
  /** Most finished tasks merged and verified together (default 8). */
  batchMax?: number;
  /**
   * Ms a free lane waits for running tasks to finish before it verifies a batch that is not full
   * (default 0); `auto` from the last verify's duration (see core `batchWaitMs`).
   */
  batchWait?: number | 'auto';
  /** How long a verify took before the run (the gate's base verify): `auto`'s first estimate. */
  verifyMs?: number;
  /**
   * The gate's base verify, still running as the tasks start: no batch starts until it settles. It
   * resolves with its duration (`auto`'s first estimate), or undefined when it did not finish.
   */
  opening?: Promise<number | undefined>;
  /** Why an abort ends the run as failed rather than cancelled (the gate could not open). */
  failure?: () => { reason: string; message: string } | undefined;
  /**
   * Batches in flight at once (default 1): while one verifies, the next is merged on top of it and
   * verified too; the integrator lands them in order and rebuilds one whose base did not land.
   */
  pipeline?: number;
  makeJob: (taskId: string, attempt: number, round: Round) => TaskJob;
  limits: RoundLimits;
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
