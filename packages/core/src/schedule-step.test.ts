import { describe, expect, it } from 'vitest';
import { RunEventSchema, type NewRunEvent } from './events.js';
import { bottomLevels, buildGraph } from './graph.js';
import { estimateWeight } from './estimate-weight.js';
import { initialState, reduce, type RunState } from './reduce.js';
import { initialBook, type ScheduleBook, type StepAction, type StepContext, type StepInput } from './schedule-book.js';
import { step } from './schedule-step.js';
import { TaskResultSchema } from './task-job.js';

const at = '2026-12-05T00:00:00.000Z';

/**
 * The loop of @caid/scheduler without a queue, a worker or a clock: it logs what `step` decides
 * (so the next step sees it folded) and records the actions; the test plays the workers and the
 * integrator by feeding inputs.
 */
class Sim {
  s: RunState;
  readonly book: ScheduleBook = initialBook();
  ctx: StepContext;
  log: StepAction[] = [];

  constructor(tasks: [string, string[]][], o: Partial<StepContext> = {}) {
    this.s = initialState();
    this.emit({
      type: 'run.started', runId: 'r', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'c0', branch: 'caid/r/integration', worktreeRoot: '/w', workers: 2,
      tasks: tasks.map(([id, dependsOn]) => ({ id, prompt: id, dependsOn, files: [] })),
    });
    const graph = buildGraph({ goal: 'g', tasks: Object.values(this.s.tasks) });
    this.ctx = {
      graph, levels: bottomLevels(graph, estimateWeight(Object.values(this.s.tasks))), limits: { conflictRounds: 1, verifyAttempts: 1 },
      batchMax: 8, batchWait: 0, pipeline: 1, aborted: false, replan: false, ...o,
    };
  }

  emit(e: NewRunEvent): void {
    this.s = reduce(this.s, RunEventSchema.parse({ ...e, at }));
  }

  /** Feeds one input; returns its actions, having logged what they log. */
  feed(input: StepInput, ctx: Partial<StepContext> = {}): StepAction[] {
    const actions = step(this.s, this.book, input, { ...this.ctx, ...ctx });
    for (const a of actions) {
      if (a.kind === 'queue' && a.log) this.emit({ type: 'task.queued', taskId: a.taskId, attempt: a.attempt, round: a.round });
      if (a.kind === 'skip') this.emit({ type: 'task.skipped', taskId: a.taskId, blockedBy: a.blockedBy });
      if (a.kind === 'fail') this.emit({ type: 'task.failed', taskId: a.taskId, reason: a.reason });
    }
    this.log.push(...actions);
    return actions;
  }

  /** A worker took the queued round of `id`. */
  start(id: string): void {
    const attempt = this.s.tasks[id]!.attempts;
    if (this.s.tasks[id]!.status !== 'queued') return;
    this.feed({ kind: 'job-started', jobId: `r__${id}__${attempt}` });
    this.emit({ type: 'task.started', taskId: id, attempt });
  }

  /** A worker ran the queued round of `id` and it finished (logged), then the loop tells step. */
  finish(id: string, status: 'done' | 'failed' = 'done'): StepAction[] {
    this.start(id);
    const attempt = this.s.tasks[id]!.attempts;
    const result = TaskResultSchema.parse({ taskId: id, attempt, status, reason: status === 'failed' ? 'model-error' : undefined, steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } });
    this.emit({ type: 'task.finished', ...result });
    return this.feed({ kind: 'round-finished', result });
  }

  merged(id: string): StepAction[] {
    this.emit({ type: 'task.merged', taskId: id, commit: `m-${id}`, taskCommit: `t-${id}` });
    return this.feed({ kind: 'integrated', taskId: id, outcomes: [{ kind: 'merged', taskId: id }] });
  }

  conflict(id: string): StepAction[] {
    this.emit({ type: 'task.conflict', taskId: id, paths: ['x.ts'] });
    return this.feed({ kind: 'integrated', taskId: id, outcomes: [{ kind: 'conflict', taskId: id, paths: ['x.ts'] }] });
  }
}

const ids = (a: StepAction) => ('taskId' in a ? [a.taskId] : a.kind === 'batch' ? a.results.map((r) => r.taskId) : a.kind === 'release' ? a.taskIds : []);
const kinds = (actions: StepAction[]) => actions.map((a) => [a.kind, ids(a).join(',')].filter(Boolean).join(' '));
const diamond: [string, string[]][] = [['a', []], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']]];

describe('step: the scheduler as a pure function', () => {
  it('runs a diamond to its end: roots first, a batch per finished task, dependents once merged, finish when nothing is in flight', () => {
    const sim = new Sim(diamond);
    expect(kinds(sim.feed({ kind: 'begin' }))).toEqual(['queue a']);
    expect(sim.log[0]).toMatchObject({ attempt: 1, jobId: 'r__a__1', log: true, priority: sim.ctx.levels.get('a') });
    expect(kinds(sim.finish('a'))).toEqual(['batch a']);
    expect(kinds(sim.merged('a'))).toEqual(['queue b', 'queue c', 'release a']);
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['a'] }))).toEqual([]);
    expect(kinds(sim.finish('c'))).toEqual(['batch c']);
    expect(kinds(sim.finish('b'))).toEqual([]); // one batch at a time: b waits
    expect(kinds(sim.merged('c'))).toEqual(['release c']);
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['c'] }))).toEqual(['batch b']);
    expect(kinds(sim.merged('b'))).toEqual(['queue d', 'release b']);
    sim.feed({ kind: 'batch-ended', taskIds: ['b'] });
    sim.finish('d');
    expect(kinds(sim.merged('d'))).toEqual(['release d']);
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['d'] }))).toEqual(['finish']);
    expect(sim.book).toMatchObject({ inFlight: 0, batches: 0, mergeWaiting: [], finished: true });
  });

  it('sends a conflict back until the limit, then fails the task and skips everything that depends on it', () => {
    const sim = new Sim(diamond);
    sim.feed({ kind: 'begin' });
    sim.finish('a');
    expect(sim.conflict('a').find((a) => a.kind === 'queue')).toMatchObject({ taskId: 'a', attempt: 2, round: { kind: 'conflict' } });
    sim.feed({ kind: 'batch-ended', taskIds: ['a'] });
    sim.finish('a');
    const failed = kinds(sim.conflict('a'));
    expect(failed[0]).toBe('fail a');
    expect(failed.slice(1, 4).sort()).toEqual(['skip b', 'skip c', 'skip d']);
    expect(failed[4]).toBe('release a');
    expect(sim.log.find((a) => a.kind === 'fail')).toMatchObject({ reason: expect.stringMatching(/^conflict-unresolved/), replan: false });
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['a'] }))).toEqual(['finish']);
  });

  it('a failed round fails its task; with --replan the dependents wait for the replan, and the rest of what was decided goes on after it', () => {
    const sim = new Sim([['a', []], ['b', ['a']], ['x', []]], { replan: true });
    sim.feed({ kind: 'begin' });
    expect(kinds(sim.finish('a', 'failed'))).toEqual(['fail a']);
    expect(sim.log.at(-1)).toMatchObject({ replan: true, reason: 'model-error' });
    // The replan left the graph as it was: b is skipped now, and the step goes on (x is still running).
    expect(kinds(sim.feed({ kind: 'failed', taskId: 'a', revised: false }))).toEqual(['skip b']);
    sim.finish('x');
    sim.merged('x');
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['x'] }))).toEqual(['finish']);
  });

  it('once the run must stop (a budget spent), ready tasks are skipped with their dependents and a send-back becomes a failure, never replanned', () => {
    const sim = new Sim([['a', []], ['b', []], ['c', ['b']]], { replan: true });
    sim.feed({ kind: 'begin' });
    const stop = { stop: { reason: 'budget', message: 'spent 10 of 10 tokens' } };
    sim.finish('a');
    sim.emit({ type: 'task.conflict', taskId: 'a', paths: ['x.ts'] });
    expect(sim.feed({ kind: 'integrated', taskId: 'a', outcomes: [{ kind: 'conflict', taskId: 'a', paths: ['x.ts'] }] }, stop)[0])
      .toEqual({ kind: 'fail', taskId: 'a', reason: 'budget: spent 10 of 10 tokens', replan: false });
    const fresh = new Sim([['a', []], ['b', []], ['c', ['b']]]);
    expect(fresh.feed({ kind: 'begin' }, stop)).toEqual([
      // b first: it outranks a (c waits on it).
      { kind: 'skip', taskId: 'b', blockedBy: 'budget' }, { kind: 'skip', taskId: 'c', blockedBy: 'b' }, { kind: 'skip', taskId: 'a', blockedBy: 'budget' }, { kind: 'finish' },
    ]);
  });

  it('the batch delay: a free lane waits (one timer) while tasks still run, and takes every task that finished meanwhile', () => {
    const sim = new Sim([['a', []], ['b', []], ['c', []]], { batchWait: 500 });
    sim.feed({ kind: 'begin' });
    // A job still queued cannot join soon: only running ones are waited for.
    sim.start('b');
    sim.start('c');
    expect(kinds(sim.finish('a'))).toEqual(['linger']);
    expect(sim.log.at(-1)).toEqual({ kind: 'linger', ms: 500 });
    expect(kinds(sim.finish('b'))).toEqual([]);
    expect(kinds(sim.feed({ kind: 'linger-expired' }))).toEqual(['batch a,b']);
    // Nothing left running that could join: no wait.
    expect(kinds(sim.finish('c'))).toEqual([]);
    sim.merged('a');
    sim.merged('b');
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['a', 'b'] }))).toEqual(['batch c']);
  });

  it('auto waits a fifth of the last measured verify; a full batch never waits', () => {
    const sim = new Sim([['a', []], ['b', []], ['c', []]], { batchWait: 'auto', batchMax: 2 });
    sim.feed({ kind: 'begin' });
    ['a', 'b', 'c'].forEach((id) => sim.start(id));
    sim.feed({ kind: 'verify-measured', ms: 5000 });
    expect(sim.finish('a')).toEqual([{ kind: 'linger', ms: 1000 }]);
    expect(kinds(sim.finish('b'))).toEqual(['batch a,b']);
    expect(sim.book.linger).toBe('off');
  });

  it('while the gate opens on the base, tasks start and finish but none merges; its verify time is auto\'s first estimate', () => {
    const sim = new Sim([['a', []], ['b', []], ['c', []]], { batchWait: 'auto' });
    sim.book.opening = true;
    expect(kinds(sim.feed({ kind: 'begin' }))).toEqual(['queue a', 'queue b', 'queue c']);
    sim.start('c');
    expect(kinds(sim.finish('a'))).toEqual([]);
    expect(kinds(sim.finish('b'))).toEqual([]);
    // c still runs: auto waits a fifth of the base's 5 s verify for it, then a and b go together.
    expect(sim.feed({ kind: 'gate-opened', ms: 5000 })).toEqual([{ kind: 'linger', ms: 1000 }]);
    expect(kinds(sim.feed({ kind: 'linger-expired' }))).toEqual(['batch a,b']);
  });

  it('a gate that opens with no measure (its verify cut short) lets the waiting batch go at once', () => {
    const sim = new Sim([['a', []]], { batchWait: 'auto' });
    sim.book.opening = true;
    sim.feed({ kind: 'begin' });
    expect(kinds(sim.finish('a'))).toEqual([]);
    expect(kinds(sim.feed({ kind: 'gate-opened' }))).toEqual(['batch a']);
    expect(sim.book.lastVerifyMs).toBeUndefined();
  });

  it('an interrupt while finished rounds wait outside a batch (gate opening, batch delay) leaves them to the resume and finishes', () => {
    const sim = new Sim([['a', []], ['b', []], ['c', []]], { batchWait: 1000 });
    sim.feed({ kind: 'begin' });
    sim.start('c');
    expect(kinds(sim.finish('a'))).toEqual(['linger']);
    sim.book.opening = true;
    sim.finish('b');
    const aborted = { aborted: true };
    // The running c is cancelled by its worker; its round comes back while a and b still wait.
    expect(kinds(sim.feed({ kind: 'interrupted' }, aborted))).toEqual(['release a,b']);
    expect(kinds(sim.feed({ kind: 'round-finished', result: { taskId: 'c', attempt: 1, status: 'failed', reason: 'cancelled', steps: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } } }, aborted))).toEqual(['finish']);
  });

  /** w (a 4 s round, verified in 10 s) then a, b, c started together at 14 s; d started at 0 and runs long. */
  function predicted() {
    const sim = new Sim([['w', []], ['a', ['w']], ['b', ['w']], ['c', ['w']], ['d', []]], { batchWait: 'auto', now: 0 });
    const at = (ms: number) => { sim.ctx.now = ms; return sim; };
    sim.feed({ kind: 'begin' });
    sim.start('w');
    sim.start('d');
    // No verify measured yet: no wait.
    expect(kinds(at(4000).finish('w'))).toEqual(['batch w']);
    sim.feed({ kind: 'verify-measured', ms: 10_000 });
    at(14_000).merged('w');
    sim.feed({ kind: 'batch-ended', taskIds: ['w'] });
    ['a', 'b', 'c'].forEach((id) => sim.start(id));
    return { sim, at };
  }

  it('auto, once its first wait runs out, waits once more for running rounds predicted to end, and the batch goes once they are in', () => {
    const { sim, at } = predicted();
    // a ends after the typical 4 s: the first wait is a fifth of the verify.
    expect(at(18_000).finish('a')).toEqual([{ kind: 'linger', ms: 2000 }]);
    expect(kinds(at(18_300).finish('b'))).toEqual([]);
    // c, started with a, is late but due (worth waiting until twice the typical round, 2 s more); d, 20 s in, runs long.
    expect(at(20_000).feed({ kind: 'linger-expired' })).toEqual([{ kind: 'linger', ms: 2000 }]);
    expect(sim.book).toMatchObject({ linger: 'set', lingerExtended: true });
    // c was the last one due: the batch goes now, not when the timer runs out, though d still runs.
    expect(kinds(at(20_300).finish('c'))).toEqual(['batch a,b,c']);
    expect(sim.book).toMatchObject({ linger: 'off', lingerExtended: undefined });
    expect(sim.book.rounds!.finishedMs).toEqual([4000, 4000, 4300, 6300]);
  });

  it('auto waits once more at most: a round predicted to end that runs long holds the lane until the second timer, then the batch goes without it', () => {
    const { sim, at } = predicted();
    expect(at(18_000).finish('a')).toEqual([{ kind: 'linger', ms: 2000 }]);
    expect(kinds(at(19_000).finish('c'))).toEqual([]);
    expect(at(20_000).feed({ kind: 'linger-expired' })).toEqual([{ kind: 'linger', ms: 2000 }]);
    expect(kinds(at(22_000).feed({ kind: 'linger-expired' }))).toEqual(['batch a,c']);
    expect(sim.book).toMatchObject({ linger: 'off', lingerExtended: undefined });
    expect(kinds(at(30_000).finish('b'))).toEqual([]); // the lane is busy
    sim.merged('a');
    sim.merged('c');
    // The lane frees while d still runs: the first wait again; d runs long, so nothing extends it.
    expect(at(32_000).feed({ kind: 'batch-ended', taskIds: ['a', 'c'] })).toEqual([{ kind: 'linger', ms: 2000 }]);
    expect(kinds(at(34_000).feed({ kind: 'linger-expired' }))).toEqual(['batch b']);
  });

  it('a numeric batch delay is never extended by a prediction', () => {
    const { sim, at } = predicted();
    sim.ctx.batchWait = 500;
    expect(at(18_000).finish('a')).toEqual([{ kind: 'linger', ms: 500 }]);
    expect(kinds(at(18_500).feed({ kind: 'linger-expired' }))).toEqual(['batch a']);
  });

  it('pipelines: a second batch starts while the first verifies only with pipeline 2', () => {
    for (const [pipeline, second] of [[1, []], [2, ['batch b']]] as const) {
      const sim = new Sim([['a', []], ['b', []]], { pipeline });
      sim.feed({ kind: 'begin' });
      sim.finish('a');
      expect(kinds(sim.finish('b'))).toEqual(second);
    }
  });

  it('an interrupt: an undecided verify is no outcome (no pump, no finish), a batch that ends drops what it left and the run finishes', () => {
    const sim = new Sim([['a', []], ['b', []]], { pipeline: 2 });
    sim.feed({ kind: 'begin' });
    sim.finish('a');
    sim.finish('b');
    const aborted = { aborted: true };
    expect(sim.feed({ kind: 'integrated', taskId: 'a', outcomes: [{ kind: 'verify-failed', taskId: 'a', command: 't', output: 'x' }] }, aborted))
      .toEqual([{ kind: 'release', taskIds: ['a'] }]);
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['a'] }, aborted))).toEqual(['release a']);
    expect(kinds(sim.feed({ kind: 'batch-ended', taskIds: ['b'] }, aborted))).toEqual(['release b', 'finish']);
    expect(sim.book).toMatchObject({ inFlight: 0, mergeWaiting: [] });
  });

  it('resumes what the log left in flight: queued jobs re-attached unlogged, finished rounds integrated, follow-ups decided again', () => {
    const sim = new Sim([['a', []], ['b', []], ['c', []], ['d', ['a', 'b', 'c']]]);
    for (const id of ['a', 'b', 'c']) sim.emit({ type: 'task.queued', taskId: id, attempt: 1, round: { kind: 'start' } });
    sim.emit({ type: 'task.finished', taskId: 'b', attempt: 1, status: 'done', steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } });
    sim.emit({ type: 'task.finished', taskId: 'c', attempt: 1, status: 'done', steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } });
    sim.emit({ type: 'task.conflict', taskId: 'c', paths: ['x.ts'] });
    const result = TaskResultSchema.parse({ taskId: 'b', attempt: 1, status: 'done', steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } });
    const actions = sim.feed({ kind: 'begin', resume: { queued: [{ taskId: 'a', attempt: 1, round: { kind: 'start' } }], integrating: [result], followUps: [{ taskId: 'c', round: { kind: 'conflict' } }] } });
    expect(actions).toEqual([
      { kind: 'queue', taskId: 'a', round: { kind: 'start' }, attempt: 1, jobId: 'r__a__1', priority: sim.ctx.levels.get('a'), log: false },
      expect.objectContaining({ kind: 'queue', taskId: 'c', attempt: 2, round: { kind: 'conflict' }, log: true }),
      { kind: 'batch', results: [result] },
    ]);
    expect(sim.book.inFlight).toBe(3);
  });
});
