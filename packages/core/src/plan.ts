import { z } from 'zod';

export const TASK_ID = /^[a-z][a-z0-9-]{0,47}$/;

export const TaskSchema = z.object({
  id: z.string().regex(TASK_ID, 'task ids are kebab-case: a lowercase letter, then up to 47 of [a-z0-9-]'),
  title: z.string().min(1).optional(),
  prompt: z.string().trim().min(1, 'prompt must not be empty'),
  dependsOn: z.array(z.string()).default([]),
  files: z.array(z.string()).default([]),
});
export type Task = z.infer<typeof TaskSchema>;

export const PlanSchema = z.object({
  goal: z.string().min(1),
  verify: z.string().min(1).optional(),
  setup: z.string().min(1).optional(),
  tasks: z.array(TaskSchema).min(1, 'a plan needs at least one task'),
});
export type Plan = z.infer<typeof PlanSchema>;
