import { z } from 'zod';
import { AgentConfigSchema, ModelConfigSchema, ShareEntrySchema } from './config.js';
import { GATE_MODES } from './gate.js';

/** What `sandbox` may be set to; `auto` is decided by a probe when agents start. */
export const SANDBOX_SETTINGS = ['auto', 'none', 'bwrap'] as const;

const count = z.number().int().positive();
const countOrZero = z.number().int().nonnegative();
const minutes = z.number().positive();

/**
 * Everything that shapes a run, resolved from flags, config and environment (in that order) and
 * recorded in `run.started`, so `caid resume`, `caid status` and the dashboard never guess.
 * Every default of the command line lives here and only here: the CLI's help texts read them.
 * Models are held by reference: provider, base URL, model, and the NAME of the key variable,
 * never a key.
 */
export const RunSettingsSchema = z.object({
  /** Agents running at once (in-process runs). */
  workers: count.default(3),
  limits: z.object({
    /** Model calls per agent round. */
    maxSteps: count.default(50),
    /** Wall time per agent round. */
    taskTimeoutMin: minutes.default(30),
    /** Tokens (input + output) one task may use over all its rounds. */
    taskTokens: count.optional(),
    /** Most tokens one model reply may use (max_tokens, also kept within the context the prompt leaves); default a quarter of the context, at most 8,192. */
    maxReplyTokens: count.optional(),
    /** Conflict rounds per task before it fails. */
    conflictRounds: countOrZero.default(2),
    /** Failed verifies per task before it fails. */
    verifyAttempts: count.default(2),
    /** Wall time of one verify run. */
    verifyTimeoutMin: minutes.default(30),
  }).strict().prefault({}),
  budget: z.object({ usd: z.number().positive().optional(), tokens: count.optional() }).strict().prefault({}),
  /** The run's verify command (overrides the plan's). */
  verify: z.string().min(1).optional(),
  /** Forces the gate mode; otherwise the plan's, otherwise chosen from the base's state. */
  gate: z.enum(GATE_MODES).optional(),
  /** The plan's `partialProgress`: a run whose tests are not all green at the end still succeeded. */
  partialProgress: z.boolean().optional(),
  /** JUnit XML report verify writes, for runners caid does not recognise (overrides the plan's). */
  verifyReport: z.string().min(1).optional(),
  /** Runs in each new worktree when the plan has no `setup` of its own. */
  setup: z.string().min(1).optional(),
  setupTimeoutMin: minutes.optional(),
  /** Ignored files of the main checkout copied into each worktree (gitignore syntax). */
  include: z.array(z.string().min(1)).default([]),
  /** Heavy folders made available in each worktree without reinstalling. */
  share: z.array(ShareEntrySchema).default([]),
  /**
   * `bwrap`: agent commands run under bubblewrap (no network, read-only outside the worktree);
   * `auto`: bwrap when a probe shows it works here, otherwise none with a warning; `none`: unconfined.
   */
  sandbox: z.enum(SANDBOX_SETTINGS).default('auto'),
  /** Where task worktrees live (absolute); default ~/.caid/worktrees/<repo>, decided when the run starts. */
  worktreeRoot: z.string().min(1).optional(),
  /** `memory` (in-process workers) or a redis:// address without its password. */
  queue: z.string().min(1).default('memory'),
  /** The planner's part: replans after permanent failures, a scaffold first, a review last. */
  planner: z.object({
    /** Undefined: on for goal runs, off for plan files (decided when the run starts). */
    replan: z.boolean().optional(),
    maxReplans: countOrZero.default(2),
    scaffold: z.boolean().default(false),
    review: z.boolean().default(false),
    /** Most tasks a plan may have (goal runs and replans). */
    maxTasks: count.default(8),
    /** Rejected plans the planner may repair before caid gives up. */
    maxRepairs: countOrZero.default(3),
  }).strict().prefault({}),
  mergeQueue: z.object({
    /** Most finished tasks merged and verified together. */
    batchMax: count.default(8),
    /** Batches verified at once, each on top of the one below it; `auto` = from the machine's cores. */
    verifyConcurrency: z.union([count, z.literal('auto')]).default('auto'),
    /** Agent steps between trial merges that warn of coming conflicts; 0 = off. */
    conflictWarnings: countOrZero.default(3),
    /**
     * Seconds a free verify lane waits for more running tasks to finish before it starts a batch
     * that is not full; `auto` = a fifth of the last verify's duration, then once more for running
     * tasks predicted to finish within that verify (core batchWaitMs), at most a minute; 0 = never.
     */
    batchWait: z.union([z.number().nonnegative(), z.literal('auto')]).default('auto'),
  }).strict().prefault({}),
  /** The model of each role by reference; planner and resolver fall back to worker. */
  models: z.object({
    worker: ModelConfigSchema.prefault({}),
    planner: ModelConfigSchema.optional(),
    resolver: ModelConfigSchema.optional(),
  }).strict().prefault({}),
  /** An external CLI agent instead of the built-in one. */
  agent: AgentConfigSchema.optional(),
}).strict();

/** Resolved settings: every default filled in. */
export type RunSettings = z.output<typeof RunSettingsSchema>;
/** Settings as given (flags, config): any part may be missing. */
export type RunSettingsInput = z.input<typeof RunSettingsSchema>;

/** The defaults, for help texts and README tables. */
export const DEFAULT_RUN_SETTINGS: RunSettings = RunSettingsSchema.parse({});
