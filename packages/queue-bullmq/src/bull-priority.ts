/** BullMQ's largest priority value. */
export const BULL_MAX_PRIORITY = 2_097_151;

/**
 * caid: higher runs first. BullMQ: 1 runs first, larger later, and 0 (no priority) runs before
 * every prioritized job, so 0 is never used. Negative and fractional inputs are clamped.
 */
export function toBullPriority(priority: number): number {
  const p = Math.max(0, Math.min(BULL_MAX_PRIORITY - 1, Math.round(priority)));
  return BULL_MAX_PRIORITY - p;
}
