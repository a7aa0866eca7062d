import { describe, expect, it } from 'vitest';
import { addUsage, UsageSchema, ZERO_USAGE } from './usage.js';

describe('usage', () => {
  it('an estimate anywhere marks the sum estimated, and the mark survives the run log schema', () => {
    const exact = { inputTokens: 10, outputTokens: 5, costUsd: 0.1 };
    const guessed = { inputTokens: 3, outputTokens: 300, costUsd: 0, estimated: true as const };
    expect(addUsage(exact, exact)).toEqual({ inputTokens: 20, outputTokens: 10, costUsd: 0.2 });
    expect(addUsage(addUsage(ZERO_USAGE, guessed), exact)).toEqual({ inputTokens: 13, outputTokens: 305, costUsd: 0.1, estimated: true });
    expect(UsageSchema.parse(guessed)).toEqual(guessed);
  });
});
