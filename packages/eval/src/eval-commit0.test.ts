import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_SETTINGS } from '@caid/core';
import { batchTimes, criticalPath, mergeQueueOptions, ratioBound } from './eval-commit0.js';

describe('criticalPath and ratioBound', () => {
  it('the longest dependency chain bounds the N/1 time ratio, as does an even share of the tasks', () => {
    const chain = [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }];
    expect(criticalPath(chain)).toBe(2);
    expect(ratioBound(2, 2, 4)).toBe(1); // a chain of two cannot go faster with more workers
    const star = [{ id: 'w' }, { id: 'x' }, { id: 'y' }, { id: 'z' }, { id: 'top', dependsOn: ['w', 'x', 'y', 'z'] }];
    expect(criticalPath(star)).toBe(2);
    expect(ratioBound(5, 2, 4)).toBe(0.4);
    expect(ratioBound(16, 2, 4)).toBe(0.25); // wide: the share of each of 4 workers, not the chain
    expect(criticalPath([])).toBe(0);
  });
});

describe('batchTimes', () => {
  it('counts batches and gate verifies and sums each batch from its start to its last verify', () => {
    const ev = (o: object) => JSON.stringify(o);
    const log = [
      ev({ type: 'run.started', at: '2026-01-01T00:00:00.000Z' }),
      ev({ type: 'run.gate', at: '2026-01-01T00:00:00.800Z' }),
      ev({ type: 'batch.started', batch: 1, at: '2026-01-01T00:00:01.000Z' }),
      ev({ type: 'batch.verified', batch: 1, at: '2026-01-01T00:00:04.000Z' }),
      ev({ type: 'batch.verified', batch: 1, at: '2026-01-01T00:00:06.000Z' }),
      ev({ type: 'batch.started', batch: 2, at: '2026-01-01T00:00:10.000Z' }),
      ev({ type: 'batch.verified', batch: 2, at: '2026-01-01T00:00:12.500Z' }),
      '',
    ].join('\n');
    expect(batchTimes(log)).toEqual({ batches: 2, verifies: 3, batchMs: 7500, gateOpenMs: 800 });
    expect(batchTimes('')).toEqual({ batches: 0, verifies: 0, batchMs: 0, gateOpenMs: 0 });
  });
});

describe('mergeQueueOptions', () => {
  it('measures the merge queue a user gets: caid run\'s batch delay unless the caller chose one', () => {
    expect(mergeQueueOptions({}).batchWait).toBe(DEFAULT_RUN_SETTINGS.mergeQueue.batchWait);
    expect(mergeQueueOptions({}).batchWait).toBe('auto');
    expect(mergeQueueOptions({ batchWait: 0, batchMax: 4 })).toEqual({ batchWait: 0, batchMax: 4, verifyConcurrency: undefined });
  });
});
