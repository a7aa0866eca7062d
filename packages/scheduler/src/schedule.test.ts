import { describe, expect, it } from 'vitest';
import {
  initialState, reduce, RunEventSchema, type IntegrationOutcome, type NewRunEvent, type RunEvent, type RunState, type TaskJob, type TaskResult,
} from '@caid/core';
import { memoryQueue } from './memory-queue.js';
import { oneByOne } from './one-by-one.js';
import { schedule } from './schedule.js';

type Behaviour = (job: TaskJob) => { result?: Partial<TaskResult>; outcome?: IntegrationOutcome; ms?: number };

/** Runs a plan through the real scheduler and queue with an in-memory integration branch. */
/** A run log in memory, started with `tasks` ([id, dependsOn, estimate?]). */
async function startedRun(tasks: [string, string[], number?][], workers: number) {
  const events: RunEvent[] = [];
  const log = { events, state: initialState() };
  const emit = async (e: NewRunEvent) => {
    const ev = RunEventSchema.parse({ ...e, at: new Date().toISOString() });
    events.push(ev);
    log.state = reduce(log.state, ev);
    return log.state;
  };
  await emit({
    type: 'run.started', runId: 'r', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'c0', branch: 'caid/r/integration', worktreeRoot: '/w', workers,
    tasks: tasks.map(([id, dependsOn, estimate]) => ({ id, prompt: id, dependsOn, files: [], ...(estimate && { estimate }) })),
  });
  return { log, emit };
}

async function simulate(tasks: [string, string[], number?][], behaviour: Behaviour, workers = 2, shouldStop?: (s: RunState) => { reason: string; message: string } | undefined, o: { holdSlots?: boolean } = {}) {
  const { log, emit } = await startedRun(tasks, workers);
  const { events } = log;
  const queue = memoryQueue();
  if (o.holdSlots === false) delete queue.reserve;
  let running = 0;
  let peak = 0;
  const outcomes = new Map<string, IntegrationOutcome | undefined>();
  queue.process(async (job) => {
    peak = Math.max(peak, ++running);
    const b = behaviour(job);
    await new Promise((r) => setTimeout(r, b.ms ?? 5));
    running--;
    outcomes.set(`${job.task.id}#${job.attempt}`, b.outcome);
    return { taskId: job.task.id, attempt: job.attempt, status: 'done', commit: `${job.task.id}-${job.attempt}`, steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 }, ...b.result };
  }, { concurrency: workers });
  let merges = 0;
  const final: RunState = await schedule({
    state: log.state, emit, queue, limits: { conflictRounds: 2, verifyAttempts: 2 }, shouldStop,
    makeJob: (taskId, attempt, round) => ({ runId: 'r', repo: '/r', worktreeRoot: '/w', task: log.state.tasks[taskId]!, attempt, round }),
    integrate: oneByOne(async (r) => outcomes.get(`${r.taskId}#${r.attempt}`) ?? { kind: 'merged', commit: `m${++merges}`, taskCommit: r.commit! }),
  });
  return { final, events, peak };
}

describe('schedule', () => {
  it('merges a diamond in dependency order, running independent tasks in parallel', async () => {
    const { final, events, peak } = await simulate([['a', []], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']], ['e', []]], (j) => ({ ms: j.task.id === 'e' ? 30 : 10 }));
    expect(final.status).toBe('succeeded');
    const order = final.mergeOrder;
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('c'));
    expect(order.indexOf('d')).toBe(Math.max(order.indexOf('b'), order.indexOf('c')) + 1);
    expect(peak).toBe(2);
    // the critical path starts first: a (bottom level 3) is queued before e (1)
    const queued = events.filter((e) => e.type === 'task.queued').map((e) => (e as { taskId: string }).taskId);
    expect(queued.slice(0, 2)).toEqual(['a', 'e']);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', commit: final.head });
  });

  it('size estimates weigh the bottom levels: a long task outranks a longer chain of short ones', async () => {
    const started = (events: RunEvent[]) => events.filter((e) => e.type === 'task.started').map((e) => (e as { taskId: string }).taskId);
    // One worker: the dispatch order is the run order. Counted in tasks, a -> b (2) beats big (1).
    const counted = await simulate([['a', []], ['b', ['a']], ['big', []]], () => ({}), 1);
    expect(started(counted.events)).toEqual(['a', 'big', 'b']);
    // Estimated, big (5) beats a -> b (1 + 1); b's missing estimate weighs the mean (3), so a -> b is 4.
    const weighed = await simulate([['a', [], 1], ['b', ['a']], ['big', [], 5]], () => ({}), 1);
    expect(started(weighed.events)).toEqual(['big', 'a', 'b']);
    expect(weighed.final.status).toBe('succeeded');
  });

  it('a finished task keeps its slot through its merge for a successor that outranks every waiting task', async () => {
    const started = (events: RunEvent[]) => events.filter((e) => e.type === 'task.started').map((e) => (e as { taskId: string }).taskId);
    const plan: [string, string[]][] = [['a', []], ['b', ['a']], ['c', ['b']], ['s1', []], ['s2', []]];
    // a -> b -> c is the critical chain; s1 and s2 (bottom level 1) wait for the one worker.
    const held = await simulate(plan, () => ({}), 1);
    expect(started(held.events).slice(0, 2)).toEqual(['a', 'b']);
    expect(held.peak).toBe(1);
    expect(held.final.status).toBe('succeeded');
    // c (level 1) does not outrank s1 (1): b's slot goes to the waiting task at once.
    expect(started(held.events)[2]).toBe('s1');
    // A queue that cannot hold a slot gives it to the waiting side task before b is ready.
    const unheld = await simulate(plan, () => ({}), 1, undefined, { holdSlots: false });
    expect(started(unheld.events).slice(0, 2)).toEqual(['a', 's1']);
  });

  it('sends a conflict and a failed verify back to the task, then merges it', async () => {
    const { final, events } = await simulate([['a', []], ['b', []]], (j) => ({
      outcome: j.task.id === 'a' && j.attempt === 1 ? { kind: 'conflict', paths: ['x.ts'] }
        : j.task.id === 'b' && j.attempt === 1 ? { kind: 'verify-failed', command: 'npm test', exitCode: 1, output: 'FAIL x' }
          : undefined,
    }));
    expect(final.status).toBe('succeeded');
    expect(final.tasks.a).toMatchObject({ status: 'merged', attempts: 2, conflicts: 1 });
    expect(final.tasks.b).toMatchObject({ status: 'merged', attempts: 2, verifyFailures: 1 });
    const rounds = events.filter((e) => e.type === 'task.queued').map((e) => e.type === 'task.queued' && `${e.taskId}:${e.round.kind}`);
    expect(rounds).toEqual(expect.arrayContaining(['a:conflict', 'b:verify-failed']));
    expect(events.find((e) => e.type === 'task.queued' && e.round.kind === 'verify-failed')).toMatchObject({ round: { output: 'FAIL x', command: 'npm test' } });
  });

  it('fails a task for good after its limits and skips its dependents, while independent work merges', async () => {
    const { final } = await simulate([['a', []], ['b', ['a']], ['c', ['b']], ['d', []], ['e', []]], (j) => ({
      outcome: j.task.id === 'a' ? { kind: 'verify-failed', command: 't', exitCode: 1, output: 'no' } : undefined,
      result: j.task.id === 'e' ? { status: 'failed', reason: 'step-limit', commit: undefined } : undefined,
    }));
    expect(final.status).toBe('failed');
    expect(final.tasks.a).toMatchObject({ status: 'failed', attempts: 2, verifyFailures: 2 });
    expect(final.tasks.b).toMatchObject({ status: 'skipped', blockedBy: 'a' });
    expect(final.tasks.c).toMatchObject({ status: 'skipped', blockedBy: 'a' });
    expect(final.tasks.d!.status).toBe('merged');
    expect(final.tasks.e).toMatchObject({ status: 'failed', reason: 'step-limit' });
  });

  it('bounds conflict rounds', async () => {
    const { final } = await simulate([['a', []]], () => ({ outcome: { kind: 'conflict', paths: ['f'] } }));
    expect(final.tasks.a).toMatchObject({ status: 'failed', attempts: 3, conflicts: 3 });
    expect(final.tasks.a!.reason).toMatch(/conflict-unresolved/);
  });

  it('dispatches nothing new once told to stop; a send-back is not rerun; the run ends failed with the reason', async () => {
    const stop = (s: RunState) => (s.mergeOrder.length >= 1 ? { reason: 'budget', message: 'token budget reached' } : undefined);
    const { final, events } = await simulate([['a', []], ['b', ['a']], ['c', ['b']], ['v', []]], (j) => ({
      ms: j.task.id === 'v' ? 40 : 5,
      outcome: j.task.id === 'v' ? { kind: 'verify-failed', command: 't', exitCode: 1, output: 'no' } : undefined,
    }), 2, stop);
    expect(Object.fromEntries(final.order.map((id) => [id, final.tasks[id]!.status]))).toEqual({ a: 'merged', b: 'skipped', c: 'skipped', v: 'failed' });
    expect(final.tasks.b!.blockedBy).toBe('budget');
    expect(final.tasks.v!.reason).toBe('budget: token budget reached');
    expect(events.filter((e) => e.type === 'task.queued').map((e) => (e as { taskId: string }).taskId)).toEqual(['a', 'v']);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed', reason: 'budget', message: 'token budget reached' });
  });

  it('logs starts and steps while a merge is in progress, not after it', async () => {
    const { log, emit } = await startedRun([['slow-merge', []], ['busy', []]], 2);
    const { events } = log;
    const queue = memoryQueue();
    let stepsDuringMerge = -1;
    let releaseMerge!: () => void;
    const mergeHeld = new Promise<void>((r) => { releaseMerge = r; });
    queue.process(async (job, ctx) => {
      if (job.task.id === 'busy') {
        // Steps while the other task's merge (its verify, say) is still running.
        await new Promise((r) => setTimeout(r, 30));
        for (let step = 1; step <= 3; step++) {
          ctx.progress({ step, usage: { inputTokens: step, outputTokens: 0, costUsd: 0 } });
          await new Promise((r) => setTimeout(r, 5));
        }
        stepsDuringMerge = events.filter((e) => e.type === 'task.step' && e.taskId === 'busy').length;
        releaseMerge();
      }
      return { taskId: job.task.id, attempt: job.attempt, status: 'done', commit: `${job.task.id}-1`, steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } };
    }, { concurrency: 2 });
    let merges = 0;
    const final = await schedule({
      state: log.state, emit, queue, limits: { conflictRounds: 2, verifyAttempts: 2 },
      makeJob: (taskId, attempt, round) => ({ runId: 'r', repo: '/r', worktreeRoot: '/w', task: log.state.tasks[taskId]!, attempt, round }),
      integrate: oneByOne(async (r) => {
        if (r.taskId === 'slow-merge') await mergeHeld;
        return { kind: 'merged', commit: `m${++merges}`, taskCommit: r.commit! };
      }),
    });
    expect(final.status).toBe('succeeded');
    expect(stepsDuringMerge).toBe(3);
    const types = events.filter((e) => 'taskId' in e && e.taskId === 'busy').map((e) => e.type);
    expect(types.indexOf('task.queued')).toBeLessThan(types.indexOf('task.started'));
    expect(types.lastIndexOf('task.step')).toBeLessThan(types.indexOf('task.finished'));
  });
});

describe('schedule: the batch delay', () => {
  /** Five independent tasks finishing 20 ms apart; the first batch's verify takes 100 ms. */
  async function batchesWith(batchWait: number | 'auto', verifyMs?: number) {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const { log, emit } = await startedRun(ids.map((id) => [id, []]), 5);
    const queue = memoryQueue();
    queue.process(async (job) => {
      await new Promise((r) => setTimeout(r, 10 + 20 * ids.indexOf(job.task.id)));
      return { taskId: job.task.id, attempt: job.attempt, status: 'done', commit: `${job.task.id}-1`, steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } };
    }, { concurrency: 5 });
    const batches: string[][] = [];
    let n = 0;
    const final = await schedule({
      state: log.state, emit, queue, limits: { conflictRounds: 2, verifyAttempts: 2 }, batchWait, verifyMs,
      makeJob: (taskId, attempt, round) => ({ runId: 'r', repo: '/r', worktreeRoot: '/w', task: log.state.tasks[taskId]!, attempt, round }),
      integrate: async (results, _s, hooks) => {
        const batch = ++n;
        batches.push(results.map((r) => r.taskId));
        await hooks.event({ type: 'batch.started', batch, tasks: results.map((r) => r.taskId), base: 'c0' });
        await new Promise((r) => setTimeout(r, 100));
        await hooks.event({ type: 'batch.verified', batch, tasks: results.map((r) => r.taskId), commit: `m${batch}`, accepted: true, probe: false });
        for (const r of results) await hooks.report(r, { kind: 'merged', commit: `m${batch}`, taskCommit: r.commit! });
      },
    });
    expect(final.status).toBe('succeeded');
    return batches;
  }

  it('without a delay, the first task to finish is verified alone', async () => {
    const batches = await batchesWith(0);
    expect(batches[0]).toEqual(['a']);
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('with a delay, a free lane waits for the running tasks and verifies them as one batch', async () => {
    // Far longer than the 80 ms the last task needs, but it stops waiting once none is running.
    expect(await batchesWith(5_000)).toEqual([['a', 'b', 'c', 'd', 'e']]);
  });

  it('auto waits a fifth of the base verify: long enough here for every task to join the first batch', async () => {
    expect(await batchesWith('auto', 2_000)).toEqual([['a', 'b', 'c', 'd', 'e']]);
    // With no verify duration known yet, auto does not wait.
    expect((await batchesWith('auto'))[0]).toEqual(['a']);
  });

  /** w (a 400 ms round, verified in 400 ms), then x and y started together after it: x takes 400 ms, y 600. */
  async function twoAfterOne(batchWait: number | 'auto') {
    const { log, emit } = await startedRun([['w', []], ['x', ['w']], ['y', ['w']]], 2);
    const queue = memoryQueue();
    queue.process(async (job) => {
      await new Promise((r) => setTimeout(r, job.task.id === 'y' ? 600 : 400));
      return { taskId: job.task.id, attempt: job.attempt, status: 'done', commit: `${job.task.id}-1`, steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } };
    }, { concurrency: 2 });
    const events: RunEvent[] = [];
    let n = 0;
    const final = await schedule({
      state: log.state, emit, queue, limits: { conflictRounds: 2, verifyAttempts: 2 }, batchWait,
      makeJob: (taskId, attempt, round) => ({ runId: 'r', repo: '/r', worktreeRoot: '/w', task: log.state.tasks[taskId]!, attempt, round }),
      integrate: async (results, _s, hooks) => {
        const batch = ++n;
        const tasks = results.map((r) => r.taskId);
        const started = { type: 'batch.started', batch, tasks, base: 'c0' } as const;
        events.push(RunEventSchema.parse({ ...started, at: new Date().toISOString() }));
        await hooks.event(started);
        await new Promise((r) => setTimeout(r, 400));
        await hooks.event({ type: 'batch.verified', batch, tasks, commit: `m${batch}`, accepted: true, probe: false });
        for (const r of results) await hooks.report(r, { kind: 'merged', commit: `m${batch}`, taskCommit: r.commit! });
      },
    });
    expect(final.status).toBe('succeeded');
    return events.map((e) => (e.type === 'batch.started' ? e.tasks : []));
  }

  it('auto predicts a running task\'s end from the run\'s rounds: two tasks ending a little apart share one batch', async () => {
    // x ends and the lane waits a fifth of the 400 ms verify; y, started with x, is due by the typical round (400 ms),
    // so once that runs out the lane waits once more, and y, 200 ms after x, joins x's batch.
    expect(await twoAfterOne('auto')).toEqual([['w'], ['x', 'y']]);
    // The first wait alone (what auto waited before): y gets a verify of its own.
    expect(await twoAfterOne(80)).toEqual([['w'], ['x'], ['y']]);
  });
});
