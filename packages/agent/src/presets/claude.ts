import path from 'node:path';
import { homeEnv, type AgentPresetSpec } from './preset-spec.js';

/**
 * Claude Code (`@anthropic-ai/claude-code`): `claude -p` reading the prompt from stdin, Anthropic
 * Messages at ANTHROPIC_BASE_URL. Edits are accepted and its file and shell tools allowed up front
 * (bypassPermissions is refused when running as root).
 */
export const claudePreset: AgentPresetSpec = {
  command: 'claude -p --permission-mode acceptEdits --allowedTools "Bash Edit Write Read Glob Grep" < {promptFile}',
  passEnv: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_USE_BEDROCK'],
  npm: { name: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  protocol: 'anthropic',
  configure: ({ endpoint, home }) => ({
    ...homeEnv(home),
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    ANTHROPIC_BASE_URL: endpoint.anthropicBaseUrl,
    ANTHROPIC_API_KEY: endpoint.token,
    ANTHROPIC_MODEL: endpoint.model,
    // Its background and sub-agent calls ask for other model names: all go to the one model.
    ANTHROPIC_DEFAULT_HAIKU_MODEL: endpoint.model,
    ANTHROPIC_DEFAULT_SONNET_MODEL: endpoint.model,
    ANTHROPIC_DEFAULT_OPUS_MODEL: endpoint.model,
    CLAUDE_CODE_SUBAGENT_MODEL: endpoint.model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  }),
};
