import { ModelError } from './model.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; doubles each retry. */
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * The wait before retry number `retry` (0-based): the server's Retry-After when it gave one,
 * else exponential backoff with full jitter (half fixed, half random) so workers that failed
 * together do not retry together.
 */
export function retryDelayMs(retry: number, retryAfterMs: number | undefined, p: RetryPolicy): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, p.maxDelayMs);
  const exp = Math.min(p.baseDelayMs * 2 ** retry, p.maxDelayMs);
  return Math.round(exp / 2 + (p.random ?? Math.random)() * (exp / 2));
}

/** Runs `attempt` until it succeeds, fails with a non-retryable ModelError, or retries run out. */
export async function withRetries<T>(attempt: () => Promise<T>, p: RetryPolicy, signal?: AbortSignal, onRetry?: (e: ModelError, waitMs: number) => void): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof ModelError) || !e.retryable || retry >= p.maxRetries || signal?.aborted) throw e;
      const wait = retryDelayMs(retry, e.retryAfterMs, p);
      onRetry?.(e, wait);
      await sleep(wait, signal);
      if (signal?.aborted) throw new ModelError('aborted');
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const v = headers?.get('retry-after');
  if (!v) return undefined;
  if (Number.isFinite(Number(v))) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
