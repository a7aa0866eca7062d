import type { RunEvent } from './events.js';
import type { RunState } from './reduce.js';
import type { Round, TaskResult } from './task-job.js';
import type { RoundOutcome } from './decide.js';

export interface InFlight {
  /** Rounds queued or running when the log stopped: their jobs may still exist and are re-attached. */
  queued: { taskId: string; attempt: number; round: Round }[];
  /** Rounds that finished but whose integration the log does not record: integrated again. */
  integrating: TaskResult[];
  /** A conflict, failed verify or reopen was recorded but its follow-up round was never queued: decide it again. */
  followUps: { taskId: string; round: Round }[];
}

/** What a resumed run must pick up, folded from the log (the log is the state). Pure. */
export function inFlight(events: RunEvent[], s: RunState): InFlight {
  const lastQueued = new Map<string, Extract<RunEvent, { type: 'task.queued' }>>();
  const lastFinished = new Map<string, Extract<RunEvent, { type: 'task.finished' }>>();
  // The last step of each task's round cycle: finished, then maybe a conflict or a failed verify.
  const lastOutcome = new Map<string, RunEvent>();
  for (const e of events) {
    if (e.type === 'task.queued') { lastQueued.set(e.taskId, e); lastOutcome.delete(e.taskId); }
    if (e.type === 'task.finished') { lastFinished.set(e.taskId, e); lastOutcome.delete(e.taskId); }
    if (e.type === 'task.conflict' || e.type === 'task.verify-failed' || e.type === 'task.reopened') lastOutcome.set(e.taskId, e);
  }
  const out: InFlight = { queued: [], integrating: [], followUps: [] };
  for (const id of s.order) {
    const t = s.tasks[id]!;
    const q = lastQueued.get(id);
    if ((t.status === 'queued' || t.status === 'running') && q) out.queued.push({ taskId: id, attempt: q.attempt, round: q.round });
    const f = lastFinished.get(id);
    const outcome = lastOutcome.get(id);
    if (t.status === 'integrating' && outcome?.type === 'task.conflict') out.followUps.push({ taskId: id, round: { kind: 'conflict' } });
    else if (t.status === 'integrating' && outcome?.type === 'task.verify-failed') {
      out.followUps.push({ taskId: id, round: { kind: 'verify-failed', command: outcome.command, output: outcome.output } });
    } else if (t.status === 'integrating' && outcome?.type === 'task.reopened') {
      out.followUps.push({ taskId: id, round: { kind: 'reopen', tests: outcome.tests, output: outcome.output } });
    } else if (t.status === 'integrating' && f) {
      const { type: _t, at: _a, ...result } = f;
      out.integrating.push(result);
    }
  }
  return out;
}

/** The outcome a resumed follow-up is decided on again (its event is already in the log). */
export function followUpOutcome(taskId: string, round: Round): RoundOutcome {
  if (round.kind === 'verify-failed') return { kind: 'verify-failed', taskId, command: round.command, output: round.output };
  if (round.kind === 'reopen') return { kind: 'reopened', taskId, tests: round.tests, output: round.output };
  return { kind: 'conflict', taskId, paths: [] };
}
