import type { RoundOutcome } from './decide.js';
import type { NewRunEvent } from './events.js';
import type { RunState } from './reduce.js';
import type { IntegrationOutcome } from './task-job.js';

/**
 * What the integrator's verdict on one task puts in the run log, and the round outcomes the
 * scheduler then decides (schedule-step.ts): a merge (with the merged tasks it reopens, whose own
 * code fails once the suite runs), a conflict, a failed verify, or a merge that could not be published. `s` is the state before these
 * events: only a task already merged (or this one) can be reopened. Pure.
 */
export function outcomeEvents(taskId: string, outcome: IntegrationOutcome, s: RunState): { events: NewRunEvent[]; outcomes: RoundOutcome[] } {
  const events: NewRunEvent[] = [];
  // A merge that could not be published (the integration branch checked out elsewhere, locked): the task fails with the reason.
  if (outcome.kind === 'failed') return { events, outcomes: [{ kind: 'round-failed', taskId, reason: `merge-failed: ${outcome.reason}` }] };
  if (outcome.kind !== 'conflict' && outcome.gate) events.push({ type: 'task.gate', taskId, ...outcome.gate });
  if (outcome.kind === 'conflict') {
    events.push({ type: 'task.conflict', taskId, paths: outcome.paths, ...(outcome.stale ? { stale: true } : {}) });
    return { events, outcomes: [{ kind: 'conflict', taskId, paths: outcome.paths }] };
  }
  if (outcome.kind === 'verify-failed') {
    events.push({ type: 'task.verify-failed', taskId, command: outcome.command, exitCode: outcome.exitCode, output: outcome.output });
    return { events, outcomes: [{ kind: 'verify-failed', taskId, command: outcome.command, output: outcome.output }] };
  }
  events.push({ type: 'task.merged', taskId, commit: outcome.commit, taskCommit: outcome.taskCommit });
  const outcomes: RoundOutcome[] = [{ kind: 'merged', taskId }];
  for (const r of outcome.gate?.reopen ?? []) {
    if (r.taskId !== taskId && s.tasks[r.taskId]?.status !== 'merged') continue;
    events.push({ type: 'task.reopened', taskId: r.taskId, tests: r.tests, output: r.output, by: taskId });
    outcomes.push({ kind: 'reopened', taskId: r.taskId, tests: r.tests, output: r.output });
  }
  return { events, outcomes };
}
