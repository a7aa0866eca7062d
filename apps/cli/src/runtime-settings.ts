import { addUsage, AGENT_PRESETS, budgetExceeded, InputError, overBudget, type Config, type RunBudget, type RunState, type Usage } from '@caid/core';
import { recordingModel, replayModel, type Model } from '@caid/llm';
import { AGENT_PRESET_COMMANDS, sandboxProblem, scrubText, secretValues, type AgentPreset } from '@caid/agent';
import { loadConfig } from '@caid/orchestrator';
import type { RoundAgentOptions, WorkerLimits } from '@caid/worker';
import { modelFromSettings, type ModelFlags } from './model-settings.js';
import { positiveInt } from './parse-flags.js';

export interface RuntimeFlags extends ModelFlags {
  config?: string;
  maxSteps?: string;
  taskTimeout?: string;
  taskTokens?: string;
  budgetUsd?: string;
  budgetTokens?: string;
  sandbox?: string;
  agentCommand?: string;
  agent?: string;
  record?: string;
  replay?: string;
}

export interface RuntimeSettings {
  config: Config;
  worker: RoundAgentOptions & { limits: WorkerLimits };
  budget: RunBudget;
  /** Values scrubbed from events and transcripts. */
  secrets: string[];
}

/**
 * Flags over `caid.config.*` over defaults; every problem is an InputError raised before anything
 * is written. `workerModels: false` for a coordinator whose agents run in `caid worker`s.
 */
export function runtimeSettings(f: RuntimeFlags, repoDir: string, env: NodeJS.ProcessEnv = process.env, o: { workerModels?: boolean } = {}): RuntimeSettings {
  const { config } = loadConfig(repoDir, f.config);
  const sandbox = f.sandbox ?? config.sandbox ?? 'none';
  if (sandbox !== 'none' && sandbox !== 'bwrap') throw new InputError(`--sandbox takes none or bwrap, not "${sandbox}"`);
  const problem = sandboxProblem(sandbox);
  if (problem) throw new InputError(`${problem}; caid will not run agent commands unconfined when a sandbox was asked for`);
  const limits: WorkerLimits = {
    maxSteps: f.maxSteps !== undefined ? positiveInt(f.maxSteps, '--max-steps') : config.limits?.maxSteps ?? 50,
    roundTimeoutMs: (f.taskTimeout !== undefined ? positiveInt(f.taskTimeout, '--task-timeout') : config.limits?.taskTimeoutMin ?? 30) * 60_000,
    runTimeoutSec: 600,
    maxTokens: f.taskTokens !== undefined ? positiveInt(f.taskTokens, '--task-tokens') : config.limits?.taskTokens,
  };
  const budget: RunBudget = {
    usd: f.budgetUsd !== undefined ? positiveNumber(f.budgetUsd, '--budget-usd') : config.budget?.usd,
    tokens: f.budgetTokens !== undefined ? positiveInt(f.budgetTokens, '--budget-tokens') : config.budget?.tokens,
  };
  const external = externalAgent(f, config);
  if (external && config.agent?.timeoutMin) limits.roundTimeoutMs = config.agent.timeoutMin * 60_000;
  const models = external || o.workerModels === false ? {} : roleModels(f, config, env);
  return { config, budget, secrets: secretValues(env, baseUrls(f, config)), worker: { ...models, external, sandbox, limits } };
}

function externalAgent(f: RuntimeFlags, config: Config): RoundAgentOptions['external'] {
  const preset = f.agent ?? config.agent?.preset;
  if (preset !== undefined && !(AGENT_PRESETS as readonly string[]).includes(preset)) {
    throw new InputError(`unknown agent preset "${preset}"; use one of ${AGENT_PRESETS.join(', ')}, or --agent-command "<cmd with {promptFile}>"`);
  }
  const command = f.agentCommand ?? config.agent?.command ?? (preset ? AGENT_PRESET_COMMANDS[preset as AgentPreset].command : undefined);
  if (command === undefined) return undefined;
  if (!command.includes('{promptFile}')) throw new InputError(`--agent-command must contain {promptFile}, where caid puts the path of the prompt file (e.g. "my-agent --file {promptFile}")`);
  const passEnv = [...(preset ? AGENT_PRESET_COMMANDS[preset as AgentPreset].passEnv : []), ...(config.agent?.passEnv ?? [])];
  return { command, passEnv };
}

function roleModels(f: RuntimeFlags, config: Config, env: NodeJS.ProcessEnv): { model: Model; resolverModel?: Model } {
  if (f.replay) {
    try {
      return { model: replayModel(f.replay) };
    } catch (e) {
      throw new InputError(`--replay: ${(e as Error).message}`);
    }
  }
  const secrets = secretValues(env, baseUrls(f, config));
  const rec = (m: Model) => (f.record ? recordingModel(m, f.record, (t) => scrubText(t, secrets)) : m);
  const model = rec(modelFromSettings(f, env, config, 'worker'));
  const resolverModel = config.models?.resolver ? rec(modelFromSettings({ ...f, model: undefined, baseUrl: undefined, provider: undefined }, env, config, 'resolver')) : undefined;
  return resolverModel ? { model, resolverModel } : { model };
}

/** Base URLs given as flags or config: their credentials are secrets the environment may not hold. */
const baseUrls = (f: RuntimeFlags, config: Config) => [f.baseUrl, ...Object.values(config.models ?? {}).map((m) => m?.baseURL)];

function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`${flag} takes a positive number, not "${value}"`);
  return n;
}

/**
 * Counts the run's spending against its budget. Workers report each step here directly, because
 * run events queue behind a merge and verify in progress and would tell an agent too late. Once
 * the budget is reached the scheduler dispatches nothing new, and running agents stop after
 * their current step.
 */
export function budgetWatch(budget: RunBudget) {
  const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let done = { ...zero };
  const live = new Map<string, Usage>();
  let reached: string | undefined;
  const check = () => {
    let u = done;
    for (const l of live.values()) u = addUsage(u, l);
    reached ??= overBudget({ tokens: u.inputTokens + u.outputTokens, usd: u.costUsd }, budget);
  };
  return {
    /** For schedule(): the folded run state counts too (remote workers report only through it). */
    shouldStop: (s: RunState) => {
      reached ??= budgetExceeded(s, budget);
      return reached ? { reason: 'budget', message: reached } : undefined;
    },
    step: (taskId: string, usage: Usage) => { live.set(taskId, usage); check(); },
    roundDone: (taskId: string, usage: Usage) => { live.delete(taskId); done = addUsage(done, usage); check(); },
    agentStop: () => reached,
  };
}
