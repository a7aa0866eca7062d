import { z } from 'zod';
import { PlanSchema, fileOverlaps, planProblems, type Plan } from '@caid/core';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Zod issues as `path: message` sentences the model can act on. */
export const issueLines = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);

/**
 * Everything that makes a submitted plan unusable: schema, ids, dependencies and cycles
 * (core's rules), the task budget, and concurrent tasks sharing files.
 */
export function checkPlan(raw: unknown, o: { maxTasks: number }): Checked<Plan> {
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: issueLines(parsed.error) };
  const plan = parsed.data;
  const errors = planProblems(plan);
  if (plan.tasks.length > o.maxTasks) errors.push(`the plan has ${plan.tasks.length} tasks; at most ${o.maxTasks} are allowed: merge closely related tasks`);
  if (!errors.length) errors.push(...fileOverlaps(plan));
  return errors.length ? { ok: false, errors } : { ok: true, value: plan };
}
