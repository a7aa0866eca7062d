import type { RunState } from './reduce.js';
import type { Round } from './task-job.js';

export interface RoundLimits {
  /** Conflict rounds a task may use before it fails (stale conflicts do not count, see below). */
  conflictRounds: number;
  /** Failed verifies a task may have before it fails. */
  verifyAttempts: number;
}

/**
 * A resolution that conflicts again only because another task landed while it was being made is
 * not the agent's fault and does not use up `conflictRounds`; this many stale conflicts per task
 * still end it, so a task can never cycle for ever behind a busy file. In a larger run the cap is
 * one per other task (staleConflictCap): python-progressbar's 12 tasks, all appending to one file
 * at once, landed one per batch and the last writer saw 7 stale conflicts, each a real landing.
 */
export const MAX_STALE_CONFLICTS = 6;

/** Stale conflicts a task of `s` may have: each one is another task landing, so one per other task (at least MAX_STALE_CONFLICTS). */
export const staleConflictCap = (s: RunState) => Math.max(MAX_STALE_CONFLICTS, Object.keys(s.tasks).length - 1);

/** How one round of a task ended, after the integrator (or the worker) had its say. */
export type RoundOutcome =
  | { kind: 'round-failed'; taskId: string; reason: string }
  | { kind: 'merged'; taskId: string }
  | { kind: 'conflict'; taskId: string; paths: string[] }
  | { kind: 'verify-failed'; taskId: string; command: string; output: string }
  /** A merged task's own code fails `tests` once the suite runs (its `task.reopened` is logged). */
  | { kind: 'reopened'; taskId: string; tests: string[]; output: string };

/** What the scheduler does next about that task. */
export type Decision =
  | { kind: 'dispatch-dependents'; taskId: string }
  | { kind: 'send-back'; taskId: string; round: Round }
  | { kind: 'fail'; taskId: string; reason: string };

/**
 * The one place the conflict and verify limits are applied. `s` is the state with the outcome's
 * event already folded in (so its counters include this conflict or failed verify). Pure.
 */
export function decide(s: RunState, outcome: RoundOutcome, limits: RoundLimits): Decision {
  const { taskId } = outcome;
  const t = s.tasks[taskId];
  switch (outcome.kind) {
    case 'merged':
      return { kind: 'dispatch-dependents', taskId };
    case 'round-failed':
      return { kind: 'fail', taskId, reason: outcome.reason };
    case 'conflict': {
      if ((t?.staleConflicts ?? 0) > staleConflictCap(s)) {
        return { kind: 'fail', taskId, reason: `conflict-unresolved: other tasks kept landing on ${outcome.paths.join(', ')} while it resolved (${staleConflictCap(s)} stale conflicts)` };
      }
      if ((t?.conflicts ?? 0) > limits.conflictRounds) {
        return { kind: 'fail', taskId, reason: `conflict-unresolved: still conflicting after ${limits.conflictRounds} conflict rounds${outcome.paths.length ? ` (${outcome.paths.join(', ')})` : ''}` };
      }
      return { kind: 'send-back', taskId, round: { kind: 'conflict' } };
    }
    case 'verify-failed':
      if ((t?.verifyFailures ?? 0) >= limits.verifyAttempts) {
        return { kind: 'fail', taskId, reason: `verify-failed: \`${outcome.command}\` failed after ${limits.verifyAttempts} attempts` };
      }
      return { kind: 'send-back', taskId, round: { kind: 'verify-failed', command: outcome.command, output: outcome.output } };
    case 'reopened':
      if ((t?.reopens ?? 0) > limits.verifyAttempts) {
        return { kind: 'fail', taskId, reason: `verify-failed: its merged code still failed ${outcome.tests.slice(0, 3).join(', ')} after ${limits.verifyAttempts} reopens` };
      }
      return { kind: 'send-back', taskId, round: { kind: 'reopen', tests: outcome.tests, output: outcome.output } };
  }
}
