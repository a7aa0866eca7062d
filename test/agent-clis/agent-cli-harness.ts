import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { AGENT_PRESET_SPECS, type AgentPreset } from '@caid/agent';
import type { Conversation, ScriptedToolCall } from '@caid/llm/testing';
// @ts-expect-error plain ESM without types, shared with `npm run demo`
import { CLI_TOOLS as DEMO_CLI_TOOLS } from '../../scripts/demo/cli-demo-model.mjs';

/** Where tools/agent-clis/install.sh (run by .ci/run) puts the pinned agent CLIs. */
export const CLI_BIN = path.resolve(__dirname, '../../tools/agent-clis/node_modules/.bin');

/**
 * Whether the preset's real binary is installed. In CI it must be (the test fails loudly if not);
 * elsewhere a missing binary skips the file with a reason saying how to install it.
 */
export function cliAvailable(preset: AgentPreset): boolean {
  const spec = AGENT_PRESET_SPECS[preset];
  const npm = 'npm' in spec ? spec.npm : undefined;
  if (!npm) throw new Error(`${preset} has no npm package to test`);
  const bin = path.join(CLI_BIN, npm.bin);
  if (existsSync(bin)) return true;
  const why = `${npm.name}@${npm.version} is not installed at ${bin}: run \`bash tools/agent-clis/install.sh\``;
  if (process.env.CI) throw new Error(`CI must drive the real agent CLIs: ${why}`);
  console.warn(`SKIPPING the ${preset} e2e tests: ${why}`);
  return false;
}

/** How a scripted model makes one CLI act: its own file-writing and shell tools, with the argument names it expects. */
export interface CliTools {
  write(file: string, content: string, cwd: string): ScriptedToolCall;
  shell(command: string): ScriptedToolCall;
  /** A read the CLI insists on before it overwrites a file (qwen-code). */
  read?(file: string, cwd: string): ScriptedToolCall;
}

/** The tool names and argument shapes of each CLI, as the pinned versions offer them (shared with the demo). */
export const CLI_TOOLS = DEMO_CLI_TOOLS as Record<'opencode' | 'codex' | 'claude' | 'pi' | 'qwen-code', CliTools>;

/** The task's worktree as the CLI reports it to its model (each names its working directory). */
export function worktreeIn(c: Conversation, taskId: string): string {
  const text = c.messages.map((m) => m.content ?? '').join('\n');
  const m = new RegExp(`(/[^\\s"'<>\`]*/wt/[^\\s"'<>/\`]+/${taskId})(?![\\w-])`).exec(text);
  if (!m) throw new Error(`scripted model: the conversation does not name the worktree of ${taskId}`);
  return m[1]!;
}

/** Processes whose command line contains `needle` (to check that a hung tool's children were killed). */
export function processesMatching(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}

export const readText = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
