import { z } from 'zod';

export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** Some of these tokens are caid's estimate: the server reported no usage (a stream without it, a cut reply). */
  estimated: z.literal(true).optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

export const addUsage = (a: Usage, b: Usage): Usage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  costUsd: Math.round((a.costUsd + b.costUsd) * 1e6) / 1e6,
  ...(a.estimated || b.estimated ? { estimated: true as const } : {}),
});
