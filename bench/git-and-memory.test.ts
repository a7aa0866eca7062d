import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { benchGitOverhead, gitOverheadSection } from './git-overhead.mjs';
// @ts-expect-error plain ESM without types
import { benchMemory, memorySection } from './memory.mjs';

const positive = (x: number) => Number.isFinite(x) && x > 0;

// Tiny runs of the benchmarks that drive the real CLI, so none of them rots. No assertion on time.
describe('bench through the real CLI (smoke): git overhead and memory', () => {
  it('orchestration overhead against raw git', async () => {
    const r = await benchGitOverhead({ files: 200, bytes: 400, tasks: 2, reps: 1 });
    const [run] = r.runs;
    expect(positive(run.caid.ms) && positive(run.raw.ms)).toBe(true);
    expect(positive(run.raw.phases.add)).toBe(true);
    expect(r.strategy.sparse).toHaveLength(1);
    expect(gitOverheadSection(r, 'smoke')).toContain('caid / raw git');
  });

  it('peak memory with agents in flight', async () => {
    const r = await benchMemory({ agents: 4, reps: 1, delayMs: 300, calls: 2 });
    expect(r.runs[0].peakMb).toBeGreaterThan(10);
    expect(r.runs[0].peakMb).toBeLessThan(4000);
    expect(r.runs[0].inFlight).toBeGreaterThanOrEqual(1);
    expect(memorySection(r, 'smoke')).toContain('VmHWM');
  });
});
