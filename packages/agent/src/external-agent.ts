import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ZERO_USAGE } from '@caid/core';
import type { AgentResult } from './run-agent.js';
import { runShell } from './run-shell.js';
import { isSecretVariable } from './agent-env.js';
import { clipOutput, tailOutput } from './clip-output.js';
import { AGENT_PRESET_SPECS, type AgentPresetSpec, type PresetEndpoint } from './presets/index.js';

/** Ready-made commands for well-known coding agents; each reads the prompt from `{promptFile}`. */
export const AGENT_PRESET_COMMANDS: { readonly [K in keyof typeof AGENT_PRESET_SPECS]: AgentPresetSpec } = AGENT_PRESET_SPECS;
export type AgentPreset = keyof typeof AGENT_PRESET_SPECS;

export interface ExternalAgentOptions {
  /** A shell command with `{promptFile}` where the prompt file's path goes. */
  command: string;
  cwd: string;
  prompt: string;
  /** Where the prompt is written (outside the worktree, so it is never committed). */
  promptFile: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra environment (e.g. the agent's own API key, named by passEnv); everything else is scrubbed. */
  env?: Record<string, string>;
  onOutput?: (output: string) => void;
  /**
   * The preset the command comes from: when `env` names caid's model endpoint (CAID_ENDPOINT_URL,
   * CAID_ENDPOINT_TOKEN, CAID_ENDPOINT_MODEL), the tool's config is written into a scratch HOME
   * beside the prompt file and the tool is pointed at that endpoint.
   */
  preset?: AgentPreset;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs an existing coding agent (aider, opencode, codex, claude, goose, or any command) in the
 * task's worktree as its agent: the prompt goes to a file, the command runs with a timeout and
 * its process group is killed at the end. Exit code 0 means finished. Same result type as runAgent.
 */
export async function runExternalAgent(o: ExternalAgentOptions): Promise<AgentResult> {
  mkdirSync(path.dirname(o.promptFile), { recursive: true });
  writeFileSync(o.promptFile, o.prompt);
  const command = o.command.split('{promptFile}').join(quote(o.promptFile));
  const r = await runShell(command, { cwd: o.cwd, timeoutMs: o.timeoutMs, env: presetEnv(o), signal: o.signal });
  o.onOutput?.(clipOutput(r.output, 40_000));
  const base = { steps: 1, usage: { ...ZERO_USAGE } };
  if (r.cancelled) return { ...base, status: 'cancelled' };
  if (r.timedOut) return { ...base, status: 'time-limit', message: `the agent command ran longer than ${Math.round(o.timeoutMs / 1000)} s` };
  if (r.exitCode !== 0) return { ...base, status: 'agent-failed', message: `the agent command exited ${r.exitCode}: ${tailOutput(r.output, 600)}` };
  return { ...base, status: 'finished', summary: tailOutput(r.output.trim(), 500) || 'external agent finished' };
}

/** The endpoint caid's worker hands an external agent in its environment, if any. */
export function endpointOf(env: Record<string, string> = {}): PresetEndpoint | undefined {
  const { CAID_ENDPOINT_URL: url, CAID_ENDPOINT_TOKEN: token, CAID_ENDPOINT_MODEL: model } = env;
  if (!url || !token || !model) return undefined;
  const anthropic = env.CAID_ENDPOINT_ANTHROPIC_URL ?? url.replace(/\/v1\/?$/, '');
  return { openaiBaseUrl: url, anthropicBaseUrl: anthropic, token, model };
}

/** The command's environment: the caller's, plus the preset's config (in a scratch HOME) when caid serves its model. */
function presetEnv(o: ExternalAgentOptions): Record<string, string> | undefined {
  const spec: AgentPresetSpec | undefined = o.preset ? AGENT_PRESET_SPECS[o.preset] : undefined;
  const endpoint = endpointOf(o.env);
  if (!spec?.configure || !endpoint) return o.env;
  const home = path.join(path.dirname(o.promptFile), 'home');
  mkdirSync(home, { recursive: true });
  // The tool talks to caid's endpoint with caid's token: no key of the user's goes along.
  const kept = Object.fromEntries(Object.entries(o.env ?? {}).filter(([k, v]) => !isSecretVariable(k, v)));
  return { ...kept, ...spec.configure({ endpoint, home }) };
}
