import { decide } from './decide.js';
import { dependentsOf, readyTasks } from './graph.js';
import { jobId } from './ids.js';
import { followUpOutcome, type InFlight } from './in-flight.js';
import { batchWaitMs, pickBatch } from './merge-queue-rules.js';
import type { RunState } from './reduce.js';
import { noteRoundFinished, noteRoundStarted, predictedRoundEnds } from './round-times.js';
import type { ScheduleBook, StepAction, StepContext, StepInput } from './schedule-book.js';
import type { Round } from './task-job.js';

/**
 * The scheduler's every decision, as one function without effects: given the run as its log folds
 * it, the scheduler's bookkeeping (updated in place) and what just happened, what to do next (queue a round, skip, fail,
 * batch, wait for more finished tasks, finish). The loop in @caid/scheduler performs the actions
 * and feeds back what happens; nothing here waits, times or touches a queue. The conflict and
 * verify limits stay in `decide`, applied here to every outcome.
 */
export function step(s: RunState, book: ScheduleBook, input: StepInput, ctx: StepContext): StepAction[] {
  // The book is the loop's own and nobody else holds it: updated in place, so an input costs O(1)
  // bookkeeping, not a copy of every queued job (20,000 job starts took minutes with copies).
  const b = book;
  const out = new Planner(s, b, ctx);
  switch (input.kind) {
    case 'begin':
      out.begin(input.resume);
      break;
    case 'job-started':
      b.queued.delete(input.jobId);
      b.rounds = noteRoundStarted(b.rounds, input.jobId, input.at ?? ctx.now);
      return [];
    case 'verify-measured':
      b.lastVerifyMs = input.ms;
      return [];
    case 'round-finished': {
      const { result } = input;
      noteRoundFinished(b.rounds, s.runId, result, input.at ?? ctx.now);
      if (ctx.aborted) b.inFlight--;
      else if (result.status === 'failed') {
        b.inFlight--;
        b.agenda.push({ kind: 'round-failed', taskId: result.taskId, reason: result.message ? `${result.reason}: ${result.message}` : result.reason ?? 'failed' });
      } else b.mergeWaiting.push(result);
      break;
    }
    case 'integrated': {
      b.mergeWaiting = b.mergeWaiting.filter((r) => r.taskId !== input.taskId);
      b.inFlight--;
      const release: StepAction = { kind: 'release', taskIds: [input.taskId] };
      // A verify cut short by an interrupt is no verdict on the task (the loop logs only a landed merge).
      if (ctx.aborted && input.outcomes[0]?.kind !== 'merged') return [release];
      b.agenda.push(...input.outcomes);
      if (out.drain()) out.pump();
      // The slot the task held for its merge goes once what its merge made ready is queued.
      return [...out.actions, release];
    }
    case 'batch-ended': {
      b.batches--;
      b.inBatch = b.inBatch.filter((id) => !input.taskIds.includes(id));
      if (ctx.aborted) {
        // Interrupted: what the batch left unreported is not an outcome; it is resumed from the log.
        const left = b.mergeWaiting.filter((r) => input.taskIds.includes(r.taskId));
        b.mergeWaiting = b.mergeWaiting.filter((r) => !input.taskIds.includes(r.taskId));
        b.inFlight -= left.length;
        out.actions.push({ kind: 'release', taskIds: input.taskIds });
      }
      break;
    }
    case 'linger-expired':
      b.linger = 'expired';
      break;
    case 'interrupted':
      break;
    case 'gate-opened':
      b.opening = false;
      if (input.ms !== undefined) b.lastVerifyMs = input.ms;
      break;
    case 'failed':
      if (input.revised) b.candidates = undefined;
      out.skipDependents(input.taskId);
      break;
  }
  if (out.drain()) out.pump();
  return out.actions;
}

/** One step's decisions, made in order on the state the step began with plus what it decided. */
class Planner {
  readonly actions: StepAction[] = [];
  /** Statuses this step already decided (the log folds them only once the loop writes them). */
  private readonly decided = new Map<string, string>();

  constructor(private readonly s: RunState, private readonly b: ScheduleBook, private readonly ctx: StepContext) {}

  private status(id: string): string | undefined {
    return this.decided.get(id) ?? this.s.tasks[id]?.status;
  }

  begin(resume: InFlight | undefined): void {
    for (const r of resume?.queued ?? []) this.queue(r.taskId, r.round, r.attempt, false);
    for (const result of resume?.integrating ?? []) {
      this.b.inFlight++;
      this.b.mergeWaiting.push(result);
    }
    // A conflict, failed verify or reopen was logged but its follow-up never queued: decide it again.
    for (const f of resume?.followUps ?? []) this.b.agenda.push(followUpOutcome(f.taskId, f.round));
    this.b.candidates = undefined;
  }

  /** Decides the outcomes on the agenda; false when a replan must run before anything else. */
  drain(): boolean {
    while (this.b.agenda.length > 0) {
      const outcome = this.b.agenda.shift()!;
      const next = decide(this.s, outcome, this.ctx.limits);
      if (next.kind === 'dispatch-dependents') this.b.candidates?.push(...this.ctx.graph.outNeighbors(next.taskId));
      else if (next.kind === 'send-back') this.dispatch(next.taskId, next.round);
      else if (!this.fail(next.taskId, next.reason)) return false;
    }
    return true;
  }

  pump(): void {
    const among = this.b.candidates;
    this.b.candidates = [];
    if (!this.ctx.aborted) {
      const ready = readyTasks(this.ctx.graph, (t) => this.status(t) ?? 'pending', this.ctx.levels, among);
      for (const id of ready) this.dispatch(id, { kind: 'start' });
    }
    this.startBatch();
    if (this.b.inFlight === 0 && this.b.batches === 0 && !this.b.finished) {
      this.b.finished = true;
      this.actions.push({ kind: 'finish' });
    }
  }

  skipDependents(taskId: string): void {
    for (const d of dependentsOf(this.ctx.graph, taskId)) {
      if (this.status(d) !== 'pending') continue;
      this.decided.set(d, 'skipped');
      this.actions.push({ kind: 'skip', taskId: d, blockedBy: taskId });
    }
  }

  private dispatch(taskId: string, round: Round): void {
    if (this.ctx.aborted) return;
    const stop = this.ctx.stop;
    if (stop && round.kind === 'start') {
      this.decided.set(taskId, 'skipped');
      this.actions.push({ kind: 'skip', taskId, blockedBy: stop.reason });
      return this.skipDependents(taskId);
    }
    if (stop) return void this.fail(taskId, `${stop.reason}: ${stop.message}`);
    this.queue(taskId, round, this.s.tasks[taskId]!.attempts + 1, true);
  }

  private queue(taskId: string, round: Round, attempt: number, log: boolean): void {
    this.b.inFlight++;
    const id = jobId(this.s.runId, taskId, attempt);
    const priority = this.ctx.levels.get(taskId) ?? 0;
    this.b.queued.set(id, priority);
    this.decided.set(taskId, 'queued');
    this.actions.push({ kind: 'queue', taskId, round, attempt, jobId: id, priority, log });
  }

  /** Fails a task for good; false when its replan must run before its dependents are skipped. */
  private fail(taskId: string, reason: string): boolean {
    const replan = this.ctx.replan && !this.ctx.aborted && !this.ctx.stop;
    this.decided.set(taskId, 'failed');
    this.actions.push({ kind: 'fail', taskId, reason, replan });
    if (replan) return false;
    this.skipDependents(taskId);
    return true;
  }

  /**
   * Interrupted: finished rounds not in a batch (waiting for the gate to open, or for the batch
   * delay) will not be merged by this process; the log has them as finished, for the resume.
   */
  private dropUnbatched(): void {
    const inBatch = new Set(this.b.inBatch);
    const left = this.b.mergeWaiting.filter((r) => !inBatch.has(r.taskId)).map((r) => r.taskId);
    if (left.length === 0) return;
    this.b.mergeWaiting = this.b.mergeWaiting.filter((r) => inBatch.has(r.taskId));
    this.b.inFlight -= left.length;
    this.actions.push({ kind: 'release', taskIds: left });
  }

  /** The first wait ran out: one more timer, if running rounds are predicted to end soon enough (batchWaitMs). */
  private extendLinger(rule: Parameters<typeof batchWaitMs>[0]): number {
    const wait = batchWaitMs({ ...rule, extended: true });
    if (wait > 0) {
      this.b.lingerExtended = true;
      this.b.linger = 'off';
    }
    return wait;
  }

  private startBatch(): void {
    const b = this.b;
    if (this.ctx.aborted) return this.dropUnbatched();
    // Lanes busy: nothing to pick (checked first, so a long merge queue costs nothing while it waits).
    if (b.batches >= this.ctx.pipeline) return;
    // The gate's base verify still runs: nothing merges before it knows what the base passes.
    if (b.opening) return;
    const inBatch = new Set(b.inBatch);
    const free = b.mergeWaiting.filter((r) => !inBatch.has(r.taskId));
    if (free.length === 0) return;
    const running = b.inFlight - b.mergeWaiting.length - b.queued.size;
    const rule = { setting: this.ctx.batchWait, waiting: free.length, batchMax: this.ctx.batchMax, running, lastVerifyMs: b.lastVerifyMs,
      roundEnds: predictedRoundEnds(b.rounds, this.ctx.now), extended: b.lingerExtended };
    const wait = b.linger !== 'expired' ? batchWaitMs(rule) : b.lingerExtended ? 0 : this.extendLinger(rule);
    if (wait > 0) {
      if (b.linger === 'off') this.actions.push({ kind: 'linger', ms: wait });
      b.linger = 'set';
      return;
    }
    b.linger = 'off';
    b.lingerExtended = undefined;
    const ids = pickBatch(free.map((r) => r.taskId), this.s, this.ctx.levels, this.ctx.batchMax);
    b.inBatch.push(...ids);
    b.batches++;
    this.actions.push({ kind: 'batch', results: ids.map((id) => free.find((r) => r.taskId === id)!) });
  }
}
