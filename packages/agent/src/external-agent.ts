import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ZERO_USAGE } from '@caid/core';
import type { AgentResult } from './run-agent.js';
import { runShell } from './run-shell.js';
import { clipOutput, tailOutput } from './clip-output.js';

/** Ready-made commands for well-known coding agents; each reads the prompt from `{promptFile}`. */
export const AGENT_PRESET_COMMANDS = {
  aider: { command: 'aider --yes-always --no-auto-commits --no-gitignore --message-file {promptFile}', passEnv: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY', 'OPENAI_API_BASE', 'AIDER_MODEL'] },
  opencode: { command: 'opencode run "$(cat {promptFile})"', passEnv: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY'] },
  codex: { command: 'codex exec --full-auto - < {promptFile}', passEnv: ['OPENAI_API_KEY', 'CODEX_HOME'] },
  claude: { command: 'claude -p --permission-mode acceptEdits < {promptFile}', passEnv: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_USE_BEDROCK'] },
  goose: { command: 'goose run --no-session -i {promptFile}', passEnv: ['GOOSE_PROVIDER', 'GOOSE_MODEL', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY'] },
} as const satisfies Record<string, { command: string; passEnv: readonly string[] }>;
export type AgentPreset = keyof typeof AGENT_PRESET_COMMANDS;

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
  const r = await runShell(command, { cwd: o.cwd, timeoutMs: o.timeoutMs, env: o.env, signal: o.signal });
  o.onOutput?.(clipOutput(r.output, 40_000));
  const base = { steps: 1, usage: { ...ZERO_USAGE } };
  if (r.cancelled) return { ...base, status: 'cancelled' };
  if (r.timedOut) return { ...base, status: 'time-limit', message: `the agent command ran longer than ${Math.round(o.timeoutMs / 1000)} s` };
  if (r.exitCode !== 0) return { ...base, status: 'agent-failed', message: `the agent command exited ${r.exitCode}: ${tailOutput(r.output, 600)}` };
  return { ...base, status: 'finished', summary: tailOutput(r.output.trim(), 500) || 'external agent finished' };
}
