/** A reply is never given fewer tokens than this (or the configured cap, when that is smaller). */
export const MIN_REPLY_TOKENS = 64;

/** The default cap when none is configured: a quarter of the context, between 256 and 8,192 tokens. */
export const defaultReplyCap = (contextWindow: number): number => Math.min(8_192, Math.max(256, Math.floor(contextWindow / 4)));

/**
 * `max_tokens` for one request: the configured cap (else the default), but no more than the context
 * left after the prompt, so a local server stops before its context is full rather than generating
 * until it is (llama-server: one reply ran 7,282 tokens for 578 s). The prompt is an estimate; a
 * reply squeezed to the floor comes back cut off ('length') and the agent condenses.
 */
export function maxReplyTokens(o: { configured?: number; contextWindow: number; promptTokens: number }): number {
  const cap = o.configured ?? defaultReplyCap(o.contextWindow);
  const left = o.contextWindow - o.promptTokens;
  return Math.max(Math.min(cap, MIN_REPLY_TOKENS), Math.min(cap, left));
}
