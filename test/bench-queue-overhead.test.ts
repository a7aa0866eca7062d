import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Smoke test of bench/queue-overhead.mjs: it runs both queues to completion and reports a ratio.
// (The numbers themselves belong in bench/RESULTS.md, never in an assertion.)
describe('bench/queue-overhead.mjs', () => {
  it('drives 10 instant tasks through memoryQueue and bullmqQueue and reports both', () => {
    const out = execFileSync(process.execPath, [path.resolve(__dirname, '../bench/queue-overhead.mjs'), '--tasks', '10', '--repeat', '1', '--json'], {
      env: { ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, encoding: 'utf8',
    });
    const r = JSON.parse(out);
    expect(r.tasks).toBe(10);
    for (const q of [r.memory, r.bullmq]) {
      expect(q.runsMs).toHaveLength(1);
      expect(q.perTaskMs).toBeGreaterThan(0);
    }
    expect(r.ratio).toBe(+(r.bullmq.perTaskMs / r.memory.perTaskMs).toFixed(1));
  });
});
