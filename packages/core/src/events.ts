import { z } from 'zod';
import { TaskSchema } from './plan.js';
import { RoundSchema, FAILURE_REASONS } from './task-job.js';
import { UsageSchema } from './usage.js';
import { GATE_MODES, GateReportSchema, TestCountsSchema } from './gate.js';
import { RunSettingsSchema } from './run-settings.js';

const at = { at: z.string() };
const task = { taskId: z.string() };

export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run.started'), ...at,
    runId: z.string(), goal: z.string(), repo: z.string(), base: z.string(), baseCommit: z.string(),
    /** The user's branch the run started from (`base` resolved when it named one), where `caid land` lands by default. */
    baseBranch: z.string().optional(),
    branch: z.string(), worktreeRoot: z.string(), workers: z.number().int().positive(),
    verify: z.string().optional(), setup: z.string().optional(), tasks: z.array(TaskSchema),
    /** Distributed runs: the workers' git remote and the queue address (never with a password). */
    remote: z.string().optional(), queue: z.string().optional(),
    /** Everything that shapes the run, resolved (absent in logs written before settings were recorded). */
    settings: RunSettingsSchema.optional(),
    /** The sandbox the agents of this coordinator run under (`auto` resolved by a probe); absent when remote workers run them. */
    sandbox: z.enum(['none', 'bwrap']).optional(),
  }),
  // `caid resume` continues the run (also after an interrupt): `settings` is what it now runs with,
  // `changed` names the settings a flag given to resume overrode.
  z.object({
    type: z.literal('run.resumed'), ...at, settings: RunSettingsSchema.optional(), changed: z.array(z.string()),
  }),
  z.object({ type: z.literal('task.queued'), ...at, ...task, attempt: z.number().int(), round: RoundSchema }),
  z.object({ type: z.literal('task.started'), ...at, ...task, attempt: z.number().int() }),
  // A trial merge of the task's work in progress found a coming conflict; the agent was told.
  z.object({
    type: z.literal('task.conflict-warning'), ...at, ...task, attempt: z.number().int(),
    step: z.number().int(), paths: z.array(z.string()), tasks: z.array(z.string()),
  }),
  z.object({
    type: z.literal('task.step'), ...at, ...task, attempt: z.number().int(),
    step: z.number().int(), tool: z.string().optional(), usage: UsageSchema,
  }),
  z.object({
    type: z.literal('task.finished'), ...at, ...task, attempt: z.number().int(), status: z.enum(['done', 'failed']),
    reason: z.enum(FAILURE_REASONS).optional(), message: z.string().optional(), commit: z.string().optional(),
    summary: z.string().optional(), steps: z.number().int(), usage: UsageSchema,
    checkFailures: z.number().int().optional(),
    role: z.enum(['worker', 'resolver']).optional(), modelMs: z.number().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('run.gate'), ...at, mode: z.enum(GATE_MODES), reason: z.string(), tests: TestCountsSchema.nullable(),
  }),
  z.object({ type: z.literal('task.gate'), ...at, ...task, ...GateReportSchema.shape }),
  z.object({ type: z.literal('task.merged'), ...at, ...task, commit: z.string(), taskCommit: z.string() }),
  // A merged task's own commits changed paths outside its plan `files`; `declaredBy` names another task that declared one.
  z.object({ type: z.literal('task.undeclared-writes'), ...at, ...task, paths: z.array(z.string()), declaredBy: z.record(z.string(), z.string()).optional() }),
  // `stale`: the task came back from a conflict round and conflicts again only because other work
  // landed while it resolved; it does not count against the conflict limit.
  z.object({ type: z.literal('task.conflict'), ...at, ...task, paths: z.array(z.string()), stale: z.boolean().optional() }),
  z.object({
    type: z.literal('task.verify-failed'), ...at, ...task, command: z.string(),
    exitCode: z.number().int().nullable(), output: z.string(),
  }),
  // A merged task's own code fails these tests once the suite runs: it is no longer merged and goes
  // back to its agent. `by` names the task whose merge revealed it.
  z.object({ type: z.literal('task.reopened'), ...at, ...task, tests: z.array(z.string()), output: z.string(), by: z.string().optional() }),
  // The merge queue: finished tasks merged together on `base` and verified once (see @caid/integrator).
  z.object({ type: z.literal('batch.started'), ...at, batch: z.number().int().positive(), tasks: z.array(z.string()), base: z.string() }),
  // A verify of the batch or of one of its prefixes (`tasks`): `accepted` is the gate's verdict.
  z.object({
    type: z.literal('batch.verified'), ...at, batch: z.number().int().positive(), tasks: z.array(z.string()),
    commit: z.string(), accepted: z.boolean(), probe: z.boolean(),
  }),
  // A red batch was searched: `landed` passed on their own prefix, `culprit` broke the gate.
  z.object({
    type: z.literal('batch.bisected'), ...at, batch: z.number().int().positive(), landed: z.array(z.string()), culprit: z.string(),
  }),
  z.object({ type: z.literal('task.failed'), ...at, ...task, reason: z.string() }),
  z.object({ type: z.literal('task.skipped'), ...at, ...task, blockedBy: z.string() }),
  // A task failed for good and the planner revised the rest of the graph: `tasks` is the new
  // not-yet-started part (new ids are added, known pending ids updated); pending ids left out are dropped.
  z.object({
    type: z.literal('plan.revised'), ...at, failedTaskId: z.string(), reason: z.string(),
    tasks: z.array(TaskSchema), dropped: z.array(z.string()),
  }),
  // An agent working directly in the integration worktree: the scaffold before the tasks, the review after them.
  z.object({
    type: z.literal('run.step'), ...at, kind: z.enum(['scaffold', 'review']),
    outcome: z.enum(['committed', 'unchanged', 'rejected']), commit: z.string().optional(),
    message: z.string().optional(), usage: UsageSchema,
  }),
  z.object({
    type: z.literal('run.finished'), ...at,
    /** `incomplete`: every task merged, but the final tests are not all green (see goalUnmet). */
    status: z.enum(['succeeded', 'incomplete', 'failed', 'cancelled']), commit: z.string(),
    /** Why a run stopped early, e.g. 'budget'; `message` says which limit. */
    reason: z.string().optional(), message: z.string().optional(),
  }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;
/** An event as code emits it: the log stamps `at`. */
export type NewRunEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'at'> : never) : never;
