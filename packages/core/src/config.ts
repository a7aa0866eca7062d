import { z } from 'zod';
import { GATE_MODES } from './gate.js';

/** The providers caid has presets for (default base URL and capabilities live in @caid/llm). */
export const PROVIDERS = ['openai', 'openrouter', 'ollama', 'vllm', 'llamacpp', 'lmstudio'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const positive = z.number().positive();

export const CapabilitiesSchema = z.object({
  nativeTools: z.boolean(),
  streamingToolCalls: z.boolean(),
  jsonSchema: z.boolean(),
  parallelToolCalls: z.boolean(),
  contextWindow: z.number().int().positive(),
}).partial().strict();

/** One role's model. `apiKeyEnv` names the variable holding the key: a key never goes in a file. */
export const ModelConfigSchema = z.object({
  provider: z.enum(PROVIDERS).optional(),
  baseURL: z.url().optional(),
  model: z.string().min(1).optional(),
  apiKeyEnv: z.string().regex(ENV_NAME, 'apiKeyEnv is the NAME of an environment variable (e.g. OPENROUTER_API_KEY), not the key').optional(),
  /** Requests in flight to this endpoint, shared by every worker using it. */
  maxConcurrentRequests: z.number().int().positive().optional(),
  maxRetries: z.number().int().nonnegative().optional(),
  stream: z.boolean().optional(),
  timeouts: z.object({ connectMs: positive, headersMs: positive, bodyMs: positive, requestMs: positive }).partial().strict().optional(),
  pricing: z.object({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() }).strict().optional(),
  capabilities: CapabilitiesSchema.optional(),
}).strict();
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const AGENT_PRESETS = ['aider', 'opencode', 'codex', 'claude', 'pi', 'qwen-code', 'goose'] as const;

/** An external CLI agent instead of the built-in one. */
export const AgentConfigSchema = z.object({
  preset: z.enum(AGENT_PRESETS).optional(),
  /** A shell command containing `{promptFile}`. */
  command: z.string().includes('{promptFile}', { message: '--agent-command must contain {promptFile}, where caid puts the path of the prompt file (e.g. "my-agent --file {promptFile}")' }).optional(),
  /** Environment variables the external agent may see (its own API key, for instance). */
  passEnv: z.array(z.string().regex(ENV_NAME)).optional(),
  timeoutMin: positive.optional(),
}).strict();
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** A folder shared into each worktree: a path (symlinked) or `{ path, mode }`. */
export const ShareEntrySchema = z.union([
  z.string().min(1).transform((p) => ({ path: p, mode: 'symlink' as const })),
  z.object({ path: z.string().min(1), mode: z.enum(['symlink', 'hardlink']).default('symlink') }).strict(),
]);

/**
 * `caid.config.yaml|json` at the repository root. Every section is optional; command-line flags
 * override it. New sections are added here as features arrive.
 */
export const ConfigSchema = z.object({
  models: z.object({ planner: ModelConfigSchema, worker: ModelConfigSchema, resolver: ModelConfigSchema }).partial().strict().optional(),
  agent: AgentConfigSchema.optional(),
  /** `bwrap`: run the agent's commands under bubblewrap, without network, outside the worktree read-only; `auto` (default): bwrap when it works here. */
  sandbox: z.enum(['auto', 'none', 'bwrap']).optional(),
  /** Agents running at once (in-process runs). */
  workers: z.number().int().positive().optional(),
  limits: z.object({
    maxSteps: z.number().int().positive(),
    taskTimeoutMin: positive,
    /** Tokens (input + output) one task may use over all its rounds. */
    taskTokens: z.number().int().positive(),
    /** Most tokens one model reply may use (sent as max_tokens). */
    maxReplyTokens: z.number().int().positive(),
    conflictRounds: z.number().int().nonnegative(),
    verifyAttempts: z.number().int().positive(),
    verifyTimeoutMin: positive,
  }).partial().strict().optional(),
  /** Forces the gate mode for every run of this repository, over the plan's, as `--gate` does. */
  gate: z.enum(GATE_MODES).optional(),
  /** JUnit XML report the repository's verify writes, over the plan's, as `--verify-report` does. */
  verifyReport: z.string().min(1).optional(),
  /** `memory` or a redis:// address for distributed runs. */
  queue: z.string().min(1).optional(),
  planner: z.object({
    replan: z.boolean(),
    maxReplans: z.number().int().nonnegative(),
    scaffold: z.boolean(),
    review: z.boolean(),
    maxTasks: z.number().int().positive(),
    maxRepairs: z.number().int().nonnegative(),
  }).partial().strict().optional(),
  mergeQueue: z.object({
    batchMax: z.number().int().positive(),
    verifyConcurrency: z.union([z.number().int().positive(), z.literal('auto')]),
    conflictWarnings: z.number().int().nonnegative(),
    batchWait: z.union([z.number().nonnegative(), z.literal('auto')]),
  }).partial().strict().optional(),
  budget: z.object({ usd: positive, tokens: z.number().int().positive() }).partial().strict().optional(),
  /** Where task worktrees live (default: outside the repository, under ~/.caid/worktrees). */
  worktreeRoot: z.string().min(1).optional(),
  /** Runs in each new worktree before its agent (the plan's `setup` wins). */
  setup: z.string().min(1).optional(),
  setupTimeoutMin: positive.optional(),
  /** Ignored files of the main checkout copied into each worktree (gitignore syntax), with `.worktreeinclude`. */
  include: z.array(z.string().min(1)).optional(),
  /** Heavy folders made available in each worktree without reinstalling. */
  share: z.array(ShareEntrySchema).optional(),
}).strict();
export type Config = z.infer<typeof ConfigSchema>;
export type ModelRole = 'planner' | 'worker' | 'resolver';
