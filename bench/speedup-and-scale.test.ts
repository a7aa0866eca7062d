import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { benchSpeedup, idealSpeedup, libraryPlan, speedupSection } from './parallel-speedup.mjs';
// @ts-expect-error plain ESM without types
import { benchScale, scaleSection } from './scale.mjs';

const positive = (x: number) => Number.isFinite(x) && x > 0;

// Tiny runs of the benchmarks that drive the real CLI, so none of them rots. No assertion on time.
describe('bench through the real CLI (smoke): speedup and scale', () => {
  it('parallel speedup of the 12-task plan', async () => {
    expect(idealSpeedup(libraryPlan(), 4)).toBeCloseTo(2.4, 5);
    const r = await benchSpeedup({ reps: 1, delayMs: 10, calls: 2 });
    expect(positive(r.runs[0].one.ms / r.runs[0].many.ms)).toBe(true);
    expect(speedupSection([r], 'smoke')).toContain('speedup');
  });

  it('scale: coordinator and end to end', async () => {
    const r = await benchScale({ sizes: [20, 40], reps: 1, e2eSizes: [6], workers: 2 });
    expect(r.coordinator.map((x: { tasks: number }) => x.tasks)).toEqual([20, 40]);
    expect(positive(r.e2e[0].perTask[0])).toBe(true);
    expect(scaleSection(r, 'smoke')).toContain('| 40 |');
  });
});
