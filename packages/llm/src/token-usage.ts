import type { AssistantMessage, ModelRequest, TokenUsage } from './model.js';

export interface Pricing {
  /** USD per million input (prompt) tokens. */
  inputPerMTok: number;
  /** USD per million output (completion) tokens. */
  outputPerMTok: number;
}

/** The rough rule of thumb (~4 characters per token) used when a server reports no usage. */
export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

/**
 * Usage of one call, priced. Budgets must keep counting against servers that omit `usage`, so a
 * missing report becomes a character-based estimate rather than zero.
 */
export function tokenUsage(
  reported: { prompt_tokens?: number | null; completion_tokens?: number | null } | null | undefined,
  request: ModelRequest,
  message: AssistantMessage,
  pricing: Pricing | undefined,
): TokenUsage {
  const inputTokens = reported?.prompt_tokens ?? estimateTokens(JSON.stringify(request.messages).length + JSON.stringify(request.tools).length);
  const outputTokens = reported?.completion_tokens ?? estimateTokens(outputChars(message));
  const usage = priced(inputTokens, outputTokens, pricing);
  return reported?.prompt_tokens == null || reported.completion_tokens == null ? { ...usage, estimated: true } : usage;
}

/** Tokens with their price. */
export function priced(inputTokens: number, outputTokens: number, pricing: Pricing | undefined): TokenUsage {
  const cost = pricing ? (inputTokens * pricing.inputPerMTok + outputTokens * pricing.outputPerMTok) / 1e6 : 0;
  // Rounding to 1e-9 USD removes float noise without losing the price of a single token.
  return { inputTokens, outputTokens, costUsd: Math.round(cost * 1e9) / 1e9 };
}

export const addTokenUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  costUsd: Math.round((a.costUsd + b.costUsd) * 1e9) / 1e9,
  ...(a.estimated || b.estimated ? { estimated: true as const } : {}),
});

function outputChars(m: AssistantMessage): number {
  let n = m.content?.length ?? 0;
  for (const c of m.tool_calls ?? []) n += c.function.name.length + c.function.arguments.length;
  return n;
}
