import { addUsage, budgetExceeded, InputError, overBudget, type RunBudget, type RunSettings, type RunState, type Usage } from '@caid/core';
import { recordingModel, replayModel, type Model } from '@caid/llm';
import { AGENT_PRESET_COMMANDS, chooseSandbox, scrubText, secretValues, type AgentPreset } from '@caid/agent';
import type { RoundAgentOptions, WorkerLimits } from '@caid/worker';
import { modelFromSettings } from './model-settings.js';

/** Per-invocation model options that are not run settings: debugging aids. */
export interface RecordingFlags {
  record?: string;
  replay?: string;
}

export interface RuntimeSettings {
  worker: RoundAgentOptions & { limits: WorkerLimits };
  budget: RunBudget;
  /** Values scrubbed from events and transcripts. */
  secrets: string[];
  /** The line announcing the sandbox (or warning there is none), printed once when agents start; absent for a coordinator of remote workers. */
  sandboxNotice?: string;
}

/**
 * What the agents run with, built from resolved settings; every problem is an InputError raised
 * before anything is written. `workerModels: false` for a coordinator whose agents run in
 * `caid worker`s.
 */
export function runtimeSettings(settings: RunSettings, rec: RecordingFlags = {}, env: NodeJS.ProcessEnv = process.env, o: { workerModels?: boolean } = {}): RuntimeSettings {
  const external = externalAgent(settings);
  // A coordinator of remote workers runs no agent: each `caid worker` decides its own sandbox.
  const sandbox = o.workerModels === false ? undefined : chooseSandbox(settings.sandbox, { external: Boolean(external) });
  if (sandbox?.problem) throw new InputError(`${sandbox.problem}; caid will not run agent commands unconfined when a sandbox was asked for`);
  const limits: WorkerLimits = {
    maxSteps: settings.limits.maxSteps,
    roundTimeoutMs: settings.limits.taskTimeoutMin * 60_000,
    runTimeoutSec: 600,
    maxTokens: settings.limits.taskTokens,
  };
  if (external && settings.agent?.timeoutMin) limits.roundTimeoutMs = settings.agent.timeoutMin * 60_000;
  // An external agent gets the worker's model through caid's metering endpoint when one is named
  // (or replayed); without one it runs on its own configuration, unmetered, as before.
  const metered = !external || Boolean(rec.replay || settings.models.worker.model);
  const models = !metered || o.workerModels === false ? {} : roleModels(settings, rec, env);
  return {
    budget: settings.budget, secrets: secretValues(env, baseUrls(settings)), worker: { ...models, external, sandbox: sandbox?.kind, limits },
    ...(sandbox?.notice ? { sandboxNotice: sandbox.notice } : {}),
  };
}

/** The sandbox line, once: a warning always reaches stderr (even with --quiet), the plain announcement goes with the progress. */
export function announceSandbox(notice: string | undefined, say: (line: string) => void): void {
  if (!notice) return;
  if (notice.startsWith('warning:')) process.stderr.write(`caid: ${notice}\n`);
  else say(notice);
}

function externalAgent(settings: RunSettings): RoundAgentOptions['external'] {
  const agent = settings.agent;
  const preset = agent?.preset as AgentPreset | undefined;
  const command = agent?.command ?? (preset ? AGENT_PRESET_COMMANDS[preset].command : undefined);
  if (command === undefined) return undefined;
  if (!command.includes('{promptFile}')) throw new InputError(`--agent-command must contain {promptFile}, where caid puts the path of the prompt file (e.g. "my-agent --file {promptFile}")`);
  const passEnv = [...(preset ? AGENT_PRESET_COMMANDS[preset].passEnv : []), ...(agent?.passEnv ?? [])];
  return agent?.command === undefined && preset ? { command, passEnv, preset } : { command, passEnv };
}

function roleModels(settings: RunSettings, f: RecordingFlags, env: NodeJS.ProcessEnv): { model: Model; resolverModel?: Model } {
  if (f.replay) {
    try {
      return { model: replayModel(f.replay) };
    } catch (e) {
      throw new InputError(`--replay: ${(e as Error).message}`);
    }
  }
  const secrets = secretValues(env, baseUrls(settings));
  const rec = (m: Model) => (f.record ? recordingModel(m, f.record, (t) => scrubText(t, secrets)) : m);
  const model = rec(modelFromSettings(settings, 'worker', env));
  const resolverModel = settings.models.resolver ? rec(modelFromSettings(settings, 'resolver', env)) : undefined;
  return resolverModel ? { model, resolverModel } : { model };
}

/** Base URLs given as flags or config: their credentials are secrets the environment may not hold. */
const baseUrls = (settings: RunSettings) => Object.values(settings.models).map((m) => m?.baseURL);

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
