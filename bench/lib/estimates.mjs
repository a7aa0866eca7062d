import { logNormal, rng } from './random.mjs';

/**
 * The plan with a size estimate on every task: its true duration times log-normal noise of
 * `sigma` (0: exact). σ = 0.5 puts half the guesses within a factor of about 1.4 of the truth and
 * one in twenty off by more than 2.7x, a fair model of a planner's guess. Seeded, so every figure
 * can be regenerated.
 */
export function withEstimates(plan, { sigma = 0, seed = 1 } = {}) {
  const rand = rng(seed);
  return plan.map((t) => ({ ...t, estimate: sigma ? t.duration * logNormal(rand, 0, sigma) : t.duration }));
}
