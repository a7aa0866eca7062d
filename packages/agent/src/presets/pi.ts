import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { homeEnv, type AgentPresetSpec } from './preset-spec.js';

/**
 * pi (`@mariozechner/pi-coding-agent`): `pi -p MESSAGE`, a provider of its own speaking chat
 * completions in `$PI_CODING_AGENT_DIR/models.json`, chosen as the default in settings.json.
 */
export const piPreset: AgentPresetSpec = {
  command: 'pi -p --no-session "$(cat {promptFile})"',
  passEnv: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY'],
  npm: { name: '@mariozechner/pi-coding-agent', version: '0.73.1', bin: 'pi' },
  protocol: 'chat',
  configure: ({ endpoint, home }) => {
    const dir = path.join(home, '.pi', 'agent');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'models.json'), `${JSON.stringify({
      providers: {
        caid: {
          baseUrl: endpoint.openaiBaseUrl,
          api: 'openai-completions',
          // The NAME of the variable holding the token: it is never written to a file.
          apiKey: 'CAID_PI_TOKEN',
          compat: { supportsDeveloperRole: false, supportsReasoningEffort: false },
          models: [{ id: endpoint.model, reasoning: false }],
        },
      },
    }, null, 2)}\n`);
    writeFileSync(path.join(dir, 'settings.json'), `${JSON.stringify({
      defaultProvider: 'caid', defaultModel: endpoint.model, enableInstallTelemetry: false,
    }, null, 2)}\n`);
    return { ...homeEnv(home), PI_CODING_AGENT_DIR: dir, CAID_PI_TOKEN: endpoint.token, PI_OFFLINE: '1', PI_TELEMETRY: '0', PI_SKIP_VERSION_CHECK: '1' };
  },
};
