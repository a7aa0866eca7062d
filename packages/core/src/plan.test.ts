import { describe, expect, it } from 'vitest';
import { PlanSchema } from './plan.js';

const withEstimate = (estimate: unknown) => PlanSchema.safeParse({ goal: 'g', tasks: [{ id: 'a', prompt: 'p', estimate }] });
const messages = (estimate: unknown) => {
  const r = withEstimate(estimate);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('plan schema: task estimates', () => {
  it('accepts a positive number, fractions included, and no estimate at all', () => {
    expect(withEstimate(3).data?.tasks[0]!.estimate).toBe(3);
    expect(withEstimate(0.25).success).toBe(true);
    const none = PlanSchema.parse({ goal: 'g', tasks: [{ id: 'a', prompt: 'p' }] });
    expect('estimate' in none.tasks[0]!).toBe(false);
  });

  it('rejects zero, negatives, text, infinity and null, naming the field and what it must be', () => {
    const rule = 'tasks.0.estimate: must be a positive number: the task\'s size relative to the others (e.g. 1 for a small task, 3 for one three times as long)';
    for (const bad of [0, -2, '2h', '3', Infinity, Number.NaN, null]) expect(messages(bad), String(bad)).toEqual([rule]);
  });
});
