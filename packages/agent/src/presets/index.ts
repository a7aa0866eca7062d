import type { AgentPresetSpec } from './preset-spec.js';
import { opencodePreset } from './opencode.js';
import { codexPreset } from './codex.js';
import { claudePreset } from './claude.js';
import { piPreset } from './pi.js';
import { qwenCodePreset } from './qwen-code.js';

export * from './preset-spec.js';

/**
 * External agent CLIs caid can run as a task's agent. opencode, codex, claude, pi and qwen-code are
 * driven by caid's tests through their real binaries (pinned in tools/agent-clis) and pointed at
 * caid's model endpoint; aider and goose are documented command templates on their own configuration.
 */
export const AGENT_PRESET_SPECS = {
  aider: { command: 'aider --yes-always --no-auto-commits --no-gitignore --message-file {promptFile}', passEnv: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY', 'OPENAI_API_BASE', 'AIDER_MODEL'] },
  opencode: opencodePreset,
  codex: codexPreset,
  claude: claudePreset,
  pi: piPreset,
  'qwen-code': qwenCodePreset,
  goose: { command: 'goose run --no-session -i {promptFile}', passEnv: ['GOOSE_PROVIDER', 'GOOSE_MODEL', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY'] },
} as const satisfies Record<string, AgentPresetSpec>;
