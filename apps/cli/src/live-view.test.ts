import { describe, expect, it } from 'vitest';
import { initialState, reduce, type RunEvent } from '@caid/core';
import { renderLiveView } from './live-view.js';

const at = (s: number) => `2026-11-22T10:00:${String(s).padStart(2, '0')}.000Z`;
const u = (i: number, o: number, c = 0) => ({ inputTokens: i, outputTokens: o, costUsd: c });
const events: RunEvent[] = [
  {
    type: 'run.started', at: at(0), runId: 'r1', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b0', branch: 'caid/r1/integration',
    worktreeRoot: '/w', workers: 2, verify: 'npm test', tasks: ['words', 'slugify', 'headline', 'lonely'].map((id) => ({ id, prompt: id, dependsOn: id === 'headline' ? ['slugify'] : [], files: [] })),
  },
  { type: 'task.queued', at: at(1), taskId: 'words', attempt: 1, round: { kind: 'start' } },
  { type: 'task.queued', at: at(1), taskId: 'slugify', attempt: 1, round: { kind: 'start' } },
  { type: 'task.started', at: at(1), taskId: 'words', attempt: 1 },
  { type: 'task.started', at: at(2), taskId: 'slugify', attempt: 1 },
  { type: 'task.finished', at: at(5), taskId: 'words', attempt: 1, status: 'done', commit: 'c1', steps: 3, usage: u(1500, 200, 0.0123) },
  { type: 'task.merged', at: at(6), taskId: 'words', commit: 'm1', taskCommit: 'c1' },
  { type: 'task.step', at: at(7), taskId: 'slugify', attempt: 1, step: 4, tool: 'write_file', usage: u(900, 100, 0.001) },
  { type: 'task.failed', at: at(8), taskId: 'lonely', reason: 'no-changes' },
];
const state = events.reduce(reduce, initialState());

describe('renderLiveView', () => {
  it('shows one line per task with status, attempt, current step and tool, elapsed time and tokens', () => {
    const frame = renderLiveView(state, { now: Date.parse(at(12)), columns: 120, rows: 40 });
    const lines = frame.split('\n');
    expect(lines[0]).toBe('caid run r1 · 2 workers · verify `npm test` · 0:12');
    expect(lines.find((l) => l.includes('words'))).toMatch(/^✔ words\s+merged\s+attempt 1\s+0:05 1\.7k tok$/);
    expect(lines.find((l) => l.includes('slugify'))).toMatch(/^▶ slugify\s+running\s+attempt 1\s+step 4 write_file\s+0:10 1\.0k tok$/);
    expect(lines.find((l) => l.includes('headline'))).toMatch(/^· headline\s+waiting$/);
    expect(lines.find((l) => l.includes('lonely'))).toMatch(/^✖ lonely\s+failed\s+no-changes/);
  });

  it('ends with the run totals and the merge log', () => {
    const lines = renderLiveView(state, { now: Date.parse(at(12)), columns: 120, rows: 40 }).split('\n');
    expect(lines.at(-2)).toBe('merged 1 · running 1 · waiting 1 · failed 1 · skipped 0 │ tokens 2.4k in / 300 out │ $0.0133');
    expect(lines.at(-1)).toBe('merge log: words');
  });

  it('fits the terminal: lines are cut to its width, running tasks first when rows run short', () => {
    const narrow = renderLiveView(state, { now: Date.parse(at(12)), columns: 30, rows: 40 });
    for (const l of narrow.split('\n')) expect(l.length).toBeLessThanOrEqual(29);
    const short = renderLiveView(state, { now: Date.parse(at(12)), columns: 120, rows: 7 }).split('\n');
    expect(short).toHaveLength(5);
    expect(short[1]).toContain('slugify');
    expect(short[2]).toBe('  … 3 more tasks');
  });
});
