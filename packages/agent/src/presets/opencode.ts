import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { homeEnv, type AgentPresetSpec } from './preset-spec.js';

/**
 * opencode (`opencode-ai`): `opencode run MESSAGE`, a provider of its own built on
 * `@ai-sdk/openai-compatible` (chat completions) in `$XDG_CONFIG_HOME/opencode/opencode.json`.
 */
export const opencodePreset: AgentPresetSpec = {
  command: 'opencode run "$(cat {promptFile})"',
  passEnv: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY'],
  npm: { name: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
  protocol: 'chat',
  configure: ({ endpoint, home }) => {
    const env = homeEnv(home);
    const dir = path.join(env.XDG_CONFIG_HOME!, 'opencode');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'opencode.json'), `${JSON.stringify({
      $schema: 'https://opencode.ai/config.json',
      autoupdate: false,
      share: 'disabled',
      model: `caid/${endpoint.model}`,
      small_model: `caid/${endpoint.model}`,
      // Non-interactive: nothing may wait for a person to approve.
      permission: { edit: 'allow', bash: 'allow', webfetch: 'allow' },
      provider: {
        caid: {
          npm: '@ai-sdk/openai-compatible',
          name: 'caid',
          // The token is read from the environment, so it is never written to a file.
          options: { baseURL: endpoint.openaiBaseUrl, apiKey: '{env:CAID_OPENCODE_TOKEN}' },
          models: { [endpoint.model]: { name: endpoint.model, tool_call: true } },
        },
      },
    }, null, 2)}\n`);
    return {
      ...env,
      CAID_OPENCODE_TOKEN: endpoint.token,
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      OPENCODE_DISABLE_CLAUDE_CODE: '1',
      OPENCODE_DISABLE_EXTERNAL_SKILLS: '1',
      // opencode installs @opencode-ai/plugin into its config folder in the background at every
      // start; offline, npm fails at once from the (empty) cache instead of reaching a registry.
      npm_config_offline: 'true',
    };
  },
};
