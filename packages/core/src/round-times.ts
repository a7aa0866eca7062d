import { jobId } from './ids.js';
import type { TaskResult } from './task-job.js';

/**
 * When the rounds of this run started and how long the finished ones took, in ms, as the loop
 * reports them (the `at` of `job-started` and `round-finished`): what `auto`'s batch delay predicts
 * a running round's end from. Data only; the clock stays in the loop.
 */
export interface RoundTimes {
  /** Running rounds by job id: when each started. */
  started: Map<string, number>;
  /** How long each finished (done) round took, ascending. */
  finishedMs: number[];
}

/** A queued job started at `at` (ms); without a time nothing is recorded. */
export function noteRoundStarted(times: RoundTimes | undefined, id: string, at: number | undefined): RoundTimes | undefined {
  if (at === undefined) return times;
  const t = times ?? { started: new Map(), finishedMs: [] };
  t.started.set(id, at);
  return t;
}

/**
 * A round ended at `at`: it no longer runs, and a done round's duration joins the finished ones
 * (a failed or cancelled round says nothing about how long a round takes).
 */
export function noteRoundFinished(times: RoundTimes | undefined, runId: string, result: TaskResult, at: number | undefined): void {
  const id = jobId(runId, result.taskId, result.attempt);
  const started = times?.started.get(id);
  if (!times || started === undefined) return;
  times.started.delete(id);
  if (at === undefined || result.status !== 'done') return;
  const ms = Math.max(0, at - started);
  // Kept sorted so the median costs nothing however many rounds a run has (a binary search and one splice).
  const sorted = times.finishedMs;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= ms) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, ms);
}

/** When a running round is predicted to end, in ms from now: expected (0 or less: due now), and the latest worth waiting for. */
export interface RoundEnd {
  expectedMs: number;
  latestMs: number;
}

/**
 * When each running round is predicted to end, seen at `now`: expected at its start plus the
 * median finished round of this run, and at the latest at its start plus twice that (late by up
 * to a typical round again: rounds started together end a little apart, and the first to end
 * makes the median, so the others are due "now" and still need a moment). A round past that runs
 * long and has no prediction. Undefined, no prediction at all, before any round has finished or
 * without a clock. Pure.
 */
export function predictedRoundEnds(times: RoundTimes | undefined, now: number | undefined): RoundEnd[] | undefined {
  const done = times?.finishedMs ?? [];
  if (now === undefined || done.length === 0) return undefined;
  const mid = done.length >> 1;
  const median = done.length % 2 ? done[mid]! : (done[mid - 1]! + done[mid]!) / 2;
  const ends: RoundEnd[] = [];
  for (const start of times!.started.values()) {
    const latestMs = start + 2 * median - now;
    if (latestMs > 0) ends.push({ expectedMs: start + median - now, latestMs });
  }
  return ends;
}
