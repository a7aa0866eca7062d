import type { TokenUsage } from './model.js';

const spentBy = new WeakMap<object, TokenUsage>();

/** Records what a failed or aborted model call is estimated to have cost (every attempt, retries included). */
export function setFailedUsage(err: unknown, usage: TokenUsage): void {
  if (typeof err === 'object' && err !== null) spentBy.set(err, usage);
}

/**
 * The estimated usage of the model call that threw `err`: the prompts the server read and the output
 * it streamed before the call was cut, failed or aborted. Undefined for errors not from a Model.
 * Budgets count it, so a runaway generation that is stopped still costs what it used.
 */
export function failedRequestUsage(err: unknown): TokenUsage | undefined {
  return typeof err === 'object' && err !== null ? spentBy.get(err) : undefined;
}
