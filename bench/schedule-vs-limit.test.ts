import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { benchSchedule, scheduleSection } from './schedule-vs-limit.mjs';

describe('bench: scheduling against the graph limit (smoke)', () => {
  it('runs the real scheduler on small graphs, with and without estimates, and never beats the lower bound', async () => {
    const r = await benchSchedule({ tasks: 30, seeds: 1, workers: [2, 4], wall: { seeds: 1, workers: [2], msPerUnit: 2 } });
    expect(r.rows).toHaveLength(8);
    for (const row of r.rows) {
      expect(row.caidExact).toHaveLength(1);
      for (const x of [...row.caid, ...row.caidExact, ...row.caidNoisy, ...row.wave, ...row.oracle]) {
        expect(Number.isFinite(x)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(1 - 1e-9);
      }
    }
    expect(r.wallRows[0].ratios[0]).toBeGreaterThan(0.5);
    const section = scheduleSection(r, 'smoke');
    expect(section).toContain('| wide (4 layers, fan-in ≤ 3) | 2 |');
    expect(section).toMatch(/\| (met by all three|\*\*missed\*\* by all three|met with [a-z ,]+; \*\*missed\*\* with [a-z ,]+) \|\n/);
    expect(section).toContain('- caid, noisy estimates: ');
  });
});
