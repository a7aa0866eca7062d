import { describe, expect, it } from 'vitest';
import { tokenUsage } from './token-usage.js';

describe('tokenUsage', () => {
  it('estimates ~4 characters per token when the server reports nothing', () => {
    const request = { messages: [{ role: 'user' as const, content: 'x'.repeat(100) }], tools: [] };
    const u = tokenUsage(undefined, request, { role: 'assistant', content: 'y'.repeat(40) }, { inputPerMTok: 1e6, outputPerMTok: 0 });
    expect(u.outputTokens).toBe(10);
    expect(u.inputTokens).toBeGreaterThanOrEqual(25);
    expect(u.costUsd).toBe(u.inputTokens);
  });
});
