import { describe, expect, it } from 'vitest';
import { RunEventSchema, type RunEvent } from './events.js';
import { decide, MAX_STALE_CONFLICTS, type RoundOutcome } from './decide.js';
import { batchWaitMs, MAX_AUTO_BATCH_WAIT_MS, nextProbe, pickBatch } from './merge-queue-rules.js';
import { initialState, reduce, type RunState } from './reduce.js';
import { taskPhase } from './queue-phase.js';

const at = '2026-12-05T00:00:00.000Z';
const limits = { conflictRounds: 2, verifyAttempts: 2 };

function fold(events: Omit<RunEvent, 'at'>[]): RunState {
  return events.reduce((s, e) => reduce(s, RunEventSchema.parse({ ...e, at })), initialState());
}
const started = (tasks: [string, string[]][]) => ({
  type: 'run.started', runId: 'r', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'c0', branch: 'caid/r/integration', worktreeRoot: '/w', workers: 2,
  tasks: tasks.map(([id, dependsOn]) => ({ id, prompt: id, dependsOn, files: [] })),
}) as Omit<RunEvent, 'at'>;
const conflict = (taskId: string, stale = false) => ({ type: 'task.conflict', taskId, paths: ['x.ts'], ...(stale ? { stale } : {}) }) as Omit<RunEvent, 'at'>;
const failedVerify = (taskId: string) => ({ type: 'task.verify-failed', taskId, command: 'npm test', exitCode: 1, output: 'FAIL' }) as Omit<RunEvent, 'at'>;

describe('decide', () => {
  it('a merged task reopened by a later merge is sent back with its failing tests, and fails once reopened more than verifyAttempts times', () => {
    const reopened = { type: 'task.reopened', taskId: 'a', tests: ['t::x'], output: 'E  assert 1 == 2', by: 'b' } as Omit<RunEvent, 'at'>;
    const merged = { type: 'task.merged', taskId: 'a', commit: 'm1', taskCommit: 'c1' } as Omit<RunEvent, 'at'>;
    const out: RoundOutcome = { kind: 'reopened', taskId: 'a', tests: ['t::x'], output: 'E  assert 1 == 2' };
    let s = fold([started([['a', []], ['b', []]]), merged, reopened]);
    expect(s.tasks.a).toMatchObject({ status: 'integrating', reopens: 1 });
    expect(s.mergeOrder).toEqual([]);
    expect(decide(s, out, limits)).toEqual({ kind: 'send-back', taskId: 'a', round: { kind: 'reopen', tests: ['t::x'], output: 'E  assert 1 == 2' } });
    s = fold([started([['a', []], ['b', []]]), merged, reopened, merged, reopened]);
    expect(decide(s, out, limits).kind).toBe('send-back');
    s = fold([started([['a', []], ['b', []]]), merged, reopened, merged, reopened, merged, reopened]);
    expect(decide(s, out, limits)).toMatchObject({ kind: 'fail', taskId: 'a', reason: expect.stringMatching(/^verify-failed: its merged code still failed t::x after 2 reopens/) });
  });

  it('a merge releases the dependents; a failed round fails the task with its reason', () => {
    const s = fold([started([['a', []]])]);
    expect(decide(s, { kind: 'merged', taskId: 'a' }, limits)).toEqual({ kind: 'dispatch-dependents', taskId: 'a' });
    expect(decide(s, { kind: 'round-failed', taskId: 'a', reason: 'step-limit' }, limits)).toEqual({ kind: 'fail', taskId: 'a', reason: 'step-limit' });
  });

  it('a conflict is sent back until the conflict rounds are used up', () => {
    const out: RoundOutcome = { kind: 'conflict', taskId: 'a', paths: ['x.ts'] };
    let s = fold([started([['a', []]]), conflict('a')]);
    expect(decide(s, out, limits)).toEqual({ kind: 'send-back', taskId: 'a', round: { kind: 'conflict' } });
    s = fold([started([['a', []]]), conflict('a'), conflict('a')]);
    expect(decide(s, out, limits).kind).toBe('send-back');
    s = fold([started([['a', []]]), conflict('a'), conflict('a'), conflict('a')]);
    expect(decide(s, out, limits)).toMatchObject({ kind: 'fail', reason: expect.stringMatching(/^conflict-unresolved: still conflicting after 2 conflict rounds \(x\.ts\)/) });
  });

  it('stale conflicts do not use up the conflict rounds, up to their own cap', () => {
    const out: RoundOutcome = { kind: 'conflict', taskId: 'a', paths: ['x.ts'] };
    const stale = Array.from({ length: MAX_STALE_CONFLICTS }, () => conflict('a', true));
    expect(decide(fold([started([['a', []]]), conflict('a'), conflict('a'), ...stale]), out, limits).kind).toBe('send-back');
    expect(decide(fold([started([['a', []]]), ...stale, conflict('a', true)]), out, limits))
      .toMatchObject({ kind: 'fail', reason: expect.stringMatching(/other tasks kept landing on x\.ts/) });
  });

  it('in a run of more tasks, the stale-conflict cap is one per other task (12 writers of one file landing one by one)', () => {
    const out: RoundOutcome = { kind: 'conflict', taskId: 'a', paths: ['x.ts'] };
    const twelve = started(Array.from({ length: 12 }, (_, i) => [i ? `t${i}` : 'a', []] as [string, string[]]));
    const stale = (n: number) => Array.from({ length: n }, () => conflict('a', true));
    expect(decide(fold([twelve, conflict('a'), ...stale(MAX_STALE_CONFLICTS + 1)]), out, limits).kind).toBe('send-back');
    expect(decide(fold([twelve, conflict('a'), ...stale(11)]), out, limits).kind).toBe('send-back');
    expect(decide(fold([twelve, conflict('a'), ...stale(12)]), out, limits))
      .toMatchObject({ kind: 'fail', reason: expect.stringMatching(/other tasks kept landing on x\.ts while it resolved \(11 stale conflicts\)/) });
  });

  it('a failed verify is sent back with its output until the verify attempts are used up', () => {
    const out = { kind: 'verify-failed', taskId: 'a', command: 'npm test', output: 'FAIL' } as const;
    expect(decide(fold([started([['a', []]]), failedVerify('a')]), out, limits))
      .toEqual({ kind: 'send-back', taskId: 'a', round: { kind: 'verify-failed', command: 'npm test', output: 'FAIL' } });
    expect(decide(fold([started([['a', []]]), failedVerify('a'), failedVerify('a')]), out, limits))
      .toEqual({ kind: 'fail', taskId: 'a', reason: 'verify-failed: `npm test` failed after 2 attempts' });
  });
});

describe('pickBatch', () => {
  it('puts tasks back from a conflict first, then the most critical, then arrival; at most max', () => {
    const s = fold([started([['a', []], ['b', []], ['c', []], ['d', []]]), conflict('c')]);
    const levels = new Map([['a', 1], ['b', 3], ['c', 1], ['d', 1]]);
    expect(pickBatch(['a', 'b', 'c', 'd'], s, levels, 8)).toEqual(['c', 'b', 'a', 'd']);
    expect(pickBatch(['a', 'b', 'c', 'd'], s, levels, 2)).toEqual(['c', 'b']);
  });

  it('keeps a dependency before its dependent when both wait', () => {
    const s = fold([started([['a', []], ['b', ['a']]])]);
    expect(pickBatch(['b', 'a'], s, new Map([['a', 1], ['b', 5]]), 8)).toEqual(['a', 'b']);
  });
});

describe('nextProbe', () => {
  it('halves the gap between the last green and the first red prefix until they touch', () => {
    expect(nextProbe(0, 8)).toBe(4);
    expect(nextProbe(4, 8)).toBe(6);
    expect(nextProbe(6, 7)).toBeNull();
    // finding the culprit at position 7 of 8 from (0, 8): 4, 6, 7 are probed, three runs = log2(8)
    let [lo, hi, probes] = [0, 8, 0];
    for (let mid = nextProbe(lo, hi); mid !== null; mid = nextProbe(lo, hi), probes++) [lo, hi] = mid < 7 ? [mid, hi] : [lo, mid];
    expect([lo, hi, probes]).toEqual([6, 7, 3]);
  });
});

describe('taskPhase', () => {
  it('follows a finished task through the merge queue: in queue, verifying, bisecting, then its outcome', () => {
    const ev = (e: object) => e as Omit<RunEvent, 'at'>;
    const base = [started([['a', []], ['b', []]]),
      ev({ type: 'task.queued', taskId: 'a', attempt: 1, round: { kind: 'start' } }),
      ev({ type: 'task.finished', taskId: 'a', attempt: 1, status: 'done', commit: 'ca', steps: 1, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } })];
    const phase = (more: Omit<RunEvent, 'at'>[]) => taskPhase(fold([...base, ...more]).tasks.a!);
    expect(phase([])).toBe('in queue');
    const batch = ev({ type: 'batch.started', batch: 1, tasks: ['a', 'b'], base: 'c0' });
    expect(phase([batch])).toBe('verifying');
    const red = ev({ type: 'batch.verified', batch: 1, tasks: ['a', 'b'], commit: 'm2', accepted: false, probe: false });
    expect(phase([batch, red])).toBe('bisecting');
    expect(phase([batch, red, ev({ type: 'task.merged', taskId: 'a', commit: 'm1', taskCommit: 'ca' })])).toBe('merged');
    const s = fold([...base, batch, red, ev({ type: 'batch.bisected', batch: 1, landed: ['a'], culprit: 'b' })]);
    expect([s.batches, s.culprits]).toEqual([1, 1]);
  });
});

describe('batchWaitMs (the batch delay)', () => {
  const base = { waiting: 2, batchMax: 8, running: 3 };
  it('waits the set time, or a fifth of the last verify under auto, capped at a minute', () => {
    expect(batchWaitMs({ ...base, setting: 1500 })).toBe(1500);
    expect(batchWaitMs({ ...base, setting: 'auto', lastVerifyMs: 2000 })).toBe(400);
    expect(batchWaitMs({ ...base, setting: 'auto', lastVerifyMs: 10 * 60_000 })).toBe(MAX_AUTO_BATCH_WAIT_MS);
  });
  it('never waits when it cannot help: batch full, nothing running, no verify measured yet, or off', () => {
    expect(batchWaitMs({ ...base, waiting: 8, setting: 1500 })).toBe(0);
    expect(batchWaitMs({ ...base, running: 0, setting: 1500 })).toBe(0);
    expect(batchWaitMs({ ...base, setting: 'auto' })).toBe(0);
    expect(batchWaitMs({ ...base, setting: 0 })).toBe(0);
  });
  it('once that wait runs out, auto waits once more for the rounds predicted to end within the rest of one verify, and no more once none is due', () => {
    // Verify 20 s: the first wait is 4 s, so the rest is 16 s.
    const auto = { ...base, setting: 'auto' as const, lastVerifyMs: 20_000 };
    const end = (expectedMs: number, latestMs: number) => ({ expectedMs, latestMs });
    const ends = [end(-500, 3000), end(4000, 8000.2), end(17_000, 40_000)];
    expect(batchWaitMs({ ...auto, roundEnds: ends })).toBe(4000);
    // Due now (worth 3 s) and expected in 4 s (worth 8 s): 8 s; one expected in 17 s would not end within the verify.
    expect(batchWaitMs({ ...auto, roundEnds: ends, extended: true })).toBe(8001);
    // Bounded by the rest of the verify, and by the minute however slow the verify.
    expect(batchWaitMs({ ...auto, roundEnds: [end(15_000, 35_000)], extended: true })).toBe(16_000);
    expect(batchWaitMs({ ...auto, lastVerifyMs: 2 * 60_000, roundEnds: [end(1000, 100_000)], extended: true })).toBe(60_000 - 24_000);
    // None due (expected too late, every running round runs long, or no prediction yet): the batch goes.
    expect(batchWaitMs({ ...auto, roundEnds: [end(17_000, 40_000)], extended: true })).toBe(0);
    expect(batchWaitMs({ ...auto, roundEnds: [], extended: true })).toBe(0);
    expect(batchWaitMs({ ...auto, extended: true })).toBe(0);
    // What stays: a full batch, nothing running, no verify measured; a number is used as is and never extended.
    expect(batchWaitMs({ ...auto, waiting: 8, roundEnds: ends, extended: true })).toBe(0);
    expect(batchWaitMs({ ...auto, running: 0, roundEnds: ends, extended: true })).toBe(0);
    expect(batchWaitMs({ ...auto, lastVerifyMs: undefined, roundEnds: ends, extended: true })).toBe(0);
    expect(batchWaitMs({ ...auto, setting: 1500, roundEnds: ends })).toBe(1500);
    expect(batchWaitMs({ ...auto, setting: 1500, roundEnds: ends, extended: true })).toBe(0);
  });
});
