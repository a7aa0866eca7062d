import { z } from 'zod';
import { TaskSchema } from './plan.js';
import { UsageSchema } from './usage.js';
import type { GateReport } from './gate.js';

/**
 * Why a task's agent is (re)started. Follow-up rounds continue the same conversation;
 * the worker merges the integration head as it is when the round starts, not when it was queued.
 */
export const RoundSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start') }),
  z.object({ kind: z.literal('conflict') }),
  z.object({ kind: z.literal('verify-failed'), command: z.string(), output: z.string() }),
  // A merged task's own code fails tests once the suite runs (a later merge revealed it).
  z.object({ kind: z.literal('reopen'), tests: z.array(z.string()), output: z.string() }),
]);
export type Round = z.infer<typeof RoundSchema>;

/** The queue payload: everything a worker needs, and nothing secret. */
export const TaskJobSchema = z.object({
  runId: z.string(),
  repo: z.string(),
  worktreeRoot: z.string(),
  task: TaskSchema,
  attempt: z.number().int().positive(),
  round: RoundSchema,
  setup: z.string().optional(),
  verify: z.string().optional(),
  /** How a fresh worktree is made ready: ignored files to copy, folders to share, the setup's time limit. */
  prepare: z.object({
    include: z.array(z.string()).default([]),
    share: z.array(z.object({ path: z.string(), mode: z.enum(['symlink', 'hardlink']) })).default([]),
    setupTimeoutMs: z.number().int().positive().optional(),
  }).optional(),
  /** The first of the ports this round may use (CAID_PORT_BASE); set by the worker that runs it. */
  portBase: z.number().int().positive().optional(),
  /** Tokens this task used in earlier rounds, so a per-task token limit spans all its rounds. */
  usedTokens: z.number().int().nonnegative().optional(),
  /** Distributed runs: the git remote the worker clones from and pushes the task branch to. */
  remote: z.string().optional(),
  /** Distributed runs: the integration head at dispatch, where a first round starts and a follow-up merges. */
  base: z.string().optional(),
  /** Distributed runs: the task commit a follow-up round continues from (the one the coordinator accepted). */
  head: z.string().optional(),
  /** Distributed runs: the conversation so far, for a follow-up round that may land on any worker. */
  history: z.array(z.unknown()).optional(),
  /** Agent steps between trial merges of the worktree against the integration head; 0 or absent = off. */
  conflictWarnings: z.number().int().nonnegative().optional(),
});
export type TaskJob = z.infer<typeof TaskJobSchema>;

export const FAILURE_REASONS = [
  'no-changes', 'step-limit', 'time-limit', 'format-errors', 'model-error', 'setup-failed',
  'conflict-unresolved', 'check-failed', 'cancelled', 'error', 'budget', 'token-limit', 'agent-failed',
  // The agent changed something outside its worktree (see @caid/git boundarySnapshot).
  'isolation-breach',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const TaskResultSchema = z.object({
  taskId: z.string(),
  attempt: z.number().int().positive(),
  status: z.enum(['done', 'failed']),
  reason: z.enum(FAILURE_REASONS).optional(),
  message: z.string().optional(),
  commit: z.string().optional(),
  summary: z.string().optional(),
  steps: z.number().int().nonnegative(),
  usage: UsageSchema,
  /** Distributed runs: the round's transcript records, for the coordinator to append to the task's transcript. */
  transcript: z.array(z.unknown()).optional(),
  /** Times the task's own `verify` was red in its worktree during this round. */
  checkFailures: z.number().int().nonnegative().optional(),
  /** Which configured model did the round: the worker's, or the resolver's in a conflict round. */
  role: z.enum(['worker', 'resolver']).optional(),
  /** Time spent waiting for the model: recorded for local models, whose cost is 0. */
  modelMs: z.number().nonnegative().optional(),
});
export type TaskResult = z.infer<typeof TaskResultSchema>;

/** What a worker reports while its agent runs. */
export interface TaskProgress {
  step: number;
  tool?: string;
  usage: z.infer<typeof UsageSchema>;
  /** Set on the report of a coming conflict (and not on a step): the paths and the merged tasks that touched them. */
  warning?: { paths: string[]; tasks: string[] };
}

/** What integrating one finished task came to. */
export type IntegrationOutcome =
  | { kind: 'merged'; commit: string; taskCommit: string; gate?: GateReport }
  | { kind: 'conflict'; paths: string[]; stale?: boolean }
  | { kind: 'verify-failed'; command: string; exitCode: number | null; output: string; gate?: GateReport }
  /** Its merge could not be published (the integration branch checked out elsewhere, locked, moved by hand): the task fails with `reason`. */
  | { kind: 'failed'; reason: string };
