import { z } from 'zod';

export const TASK_ID = /^[a-z][a-z0-9-]{0,47}$/;

/** The id as kebab-case ("Add numbers" → "add-numbers"), or undefined when nothing usable is left. */
function kebab(id: string): string | undefined {
  const k = id.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  if (!k) return undefined;
  return /^[a-z]/.test(k) ? k : `t-${k}`.slice(0, 48);
}

// Names the id and offers its kebab-case form: "Add numbers" is easy to fix once it is quoted back.
function taskIdProblem(input: unknown): string {
  const rule = 'task ids are kebab-case: a lowercase letter, then up to 47 of [a-z0-9-]';
  if (typeof input !== 'string') return rule;
  const fixed = kebab(input);
  return `${rule}; ${JSON.stringify(input)} is not${fixed && fixed !== input ? ` (try ${JSON.stringify(fixed)})` : ''}`;
}

const ESTIMATE_RULE = 'must be a positive number: the task\'s size relative to the others (e.g. 1 for a small task, 3 for one three times as long)';

export const TaskSchema = z.object({
  id: z.string().regex(TASK_ID, { error: (iss) => taskIdProblem(iss.input) }),
  title: z.string().min(1).optional(),
  prompt: z.string().trim().min(1, 'prompt must not be empty'),
  dependsOn: z.array(z.string()).default([]),
  files: z.array(z.string()).default([]),
  /** The task's own check (e.g. the tests of the files it owns): run in its worktree before merging, and after. */
  verify: z.string().min(1).optional(),
  /**
   * Relative size (only ratios matter): the scheduler weighs bottom levels by it, so the longest
   * chain by expected time starts first. A task without one counts as the plan's mean estimate.
   */
  estimate: z.number({ error: ESTIMATE_RULE }).positive(ESTIMATE_RULE).optional()
    .describe('rough size relative to the other tasks (1 = small, 2 = twice that, ...); orders dispatch along the longest chain'),
});
export type Task = z.infer<typeof TaskSchema>;

export const PlanSchema = z.object({
  goal: z.string().min(1),
  verify: z.string().min(1).optional(),
  setup: z.string().min(1).optional(),
  /** How the run-level verify gates merges; chosen from the base's state when absent. */
  gate: z.enum(['all', 'no-regression']).optional(),
  /** Where verify writes a JUnit XML report, for runners caid does not recognise. */
  verifyReport: z.string().min(1).optional(),
  /**
   * Progress is the goal: a run on a red base whose every task merged succeeds even if tests still
   * fail at the end (otherwise it ends `incomplete`, exit 3).
   */
  partialProgress: z.boolean().optional(),
  tasks: z.array(TaskSchema).min(1, 'a plan needs at least one task'),
});
export type Plan = z.infer<typeof PlanSchema>;
