import { z } from 'zod';

export const GATE_MODES = ['all', 'no-regression'] as const;
export type GateMode = (typeof GATE_MODES)[number];

export const TestCountsSchema = z.object({
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type TestCounts = z.infer<typeof TestCountsSchema>;

/** What one gate decided about one merge; carried by the integration outcome and the `task.gate` event. */
export const GateReportSchema = z.object({
  mode: z.enum(GATE_MODES),
  accepted: z.boolean(),
  /** Per-test counts after the merge, when verify produced a report. */
  tests: TestCountsSchema.nullable(),
  /** Tests that passed on the integration head and fail (or vanished) after the merge. */
  newlyFailing: z.array(z.string()),
  /** Newly failing tests that passed when rerun once. */
  flaky: z.array(z.string()),
  /**
   * Newly failing tests not held against the merge: their failure ends in code still a stub or
   * owned by a task not merged yet (`task`); checked again at every later merge.
   */
  waiting: z.array(z.object({ test: z.string(), task: z.string().optional(), at: z.string() })).optional(),
  /**
   * Tests that fail in code an already merged task wrote (not a stub, not this merge's): not held
   * against this merge; that task goes back to its agent (`task.reopened`). A few tests per task,
   * with their failure output.
   */
  reopen: z.array(z.object({ taskId: z.string(), tests: z.array(z.string()), at: z.string(), output: z.string() })).optional(),
});
export type GateReport = z.infer<typeof GateReportSchema>;
