import { describe, expect, it } from 'vitest';
import { BULL_MAX_PRIORITY, toBullPriority } from './bull-priority.js';

describe('toBullPriority', () => {
  it('turns higher-first into BullMQ lower-first, never 0 (which would jump every prioritized job)', () => {
    expect(toBullPriority(9)).toBeLessThan(toBullPriority(5));
    expect(toBullPriority(0)).toBe(BULL_MAX_PRIORITY);
    expect(toBullPriority(-3)).toBe(BULL_MAX_PRIORITY);
    expect(toBullPriority(1e12)).toBe(1);
    expect(BULL_MAX_PRIORITY).toBe(2_097_151);
  });
});
