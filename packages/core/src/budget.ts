import type { RunState } from './reduce.js';

export interface RunBudget {
  usd?: number;
  tokens?: number;
}

/** Usage of the whole run so far, including rounds still in flight. */
export function spentSoFar(s: RunState): { tokens: number; usd: number } {
  let tokens = s.usage.inputTokens + s.usage.outputTokens;
  let usd = s.usage.costUsd;
  for (const t of Object.values(s.tasks)) {
    tokens += t.liveUsage.inputTokens + t.liveUsage.outputTokens;
    usd += t.liveUsage.costUsd;
  }
  return { tokens, usd };
}

/** A message naming the limit once the run has reached it, else undefined. Pure. */
export function budgetExceeded(s: RunState, b: RunBudget): string | undefined {
  return overBudget(spentSoFar(s), b);
}

/** The same check on counted spending. */
export function overBudget(spent: { tokens: number; usd: number }, b: RunBudget): string | undefined {
  if (b.tokens !== undefined && spent.tokens >= b.tokens) return `token budget reached: ${spent.tokens} of ${b.tokens} tokens used`;
  if (b.usd !== undefined && spent.usd >= b.usd) return `cost budget reached: $${spent.usd.toFixed(4)} of $${b.usd} spent`;
  return undefined;
}
