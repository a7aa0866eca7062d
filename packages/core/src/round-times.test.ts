import { describe, expect, it } from 'vitest';
import { noteRoundFinished, noteRoundStarted, predictedRoundEnds, type RoundTimes } from './round-times.js';
import { TaskResultSchema } from './task-job.js';

const result = (taskId: string, status: 'done' | 'failed' = 'done') =>
  TaskResultSchema.parse({ taskId, attempt: 1, status, reason: status === 'failed' ? 'error' : undefined, steps: 1, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } });

/** Rounds started at the given ms (job ids r__<id>__1), the listed ones then finished at `endAt`. */
function times(starts: Record<string, number>, ends: Record<string, number> = {}): RoundTimes | undefined {
  let t: RoundTimes | undefined;
  for (const [id, at] of Object.entries(starts)) t = noteRoundStarted(t, `r__${id}__1`, at);
  for (const [id, at] of Object.entries(ends)) noteRoundFinished(t, 'r', result(id), at);
  return t;
}

describe('predicted round ends (auto batch delay)', () => {
  it('no prediction before a round has finished, or without a clock', () => {
    expect(predictedRoundEnds(times({ a: 0, b: 0 }), 100)).toBeUndefined();
    expect(predictedRoundEnds(times({ a: 0, b: 0 }, { a: 1000 }), undefined)).toBeUndefined();
    expect(noteRoundStarted(undefined, 'r__a__1', undefined)).toBeUndefined();
  });

  it('a running round ends at its start plus the median finished round', () => {
    // Finished: 1000, 3000, 9000 ms (median 3000); c started at 10_000, seen at 11_000: 2000 ms to go.
    const t = times({ a: 0, b: 0, x: 0, c: 10_000 }, { a: 1000, b: 3000, x: 9000 });
    expect(t!.finishedMs).toEqual([1000, 3000, 9000]);
    expect(predictedRoundEnds(t, 11_000)).toEqual([{ expectedMs: 2000, latestMs: 5000 }]);
    // An even count takes the mean of the middle two.
    noteRoundFinished(t, 'r', result('c'), 15_000);
    expect(t!.finishedMs).toEqual([1000, 3000, 5000, 9000]);
    noteRoundStarted(t, 'r__d__1', 20_000);
    expect(predictedRoundEnds(t, 20_000)).toEqual([{ expectedMs: 4000, latestMs: 8000 }]);
  });

  it('rounds started together: the first to end makes the median, the others are due now and worth a median more; past two medians none', () => {
    const t = times({ a: 0, b: 0, c: 0 }, { a: 4000 });
    expect(predictedRoundEnds(t, 4000)).toEqual([{ expectedMs: 0, latestMs: 4000 }, { expectedMs: 0, latestMs: 4000 }]);
    expect(predictedRoundEnds(t, 7000)).toEqual([{ expectedMs: -3000, latestMs: 1000 }, { expectedMs: -3000, latestMs: 1000 }]);
    expect(predictedRoundEnds(t, 8000)).toEqual([]);
  });

  it('a failed round leaves the running set but says nothing about how long a round takes; an unknown job is ignored', () => {
    const t = times({ a: 0, b: 0 });
    noteRoundFinished(t, 'r', result('a', 'failed'), 50);
    noteRoundFinished(t, 'r', result('zz'), 50);
    expect(t!.finishedMs).toEqual([]);
    expect([...t!.started.keys()]).toEqual(['r__b__1']);
  });
});
