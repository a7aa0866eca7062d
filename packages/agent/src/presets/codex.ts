import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { homeEnv, type AgentPresetSpec } from './preset-spec.js';

const toml = (s: string) => JSON.stringify(s);

/**
 * codex (`@openai/codex`): `codex exec` reading the prompt from stdin, a model provider of its
 * own speaking the Responses API in `$CODEX_HOME/config.toml`. Shell commands run in codex's own
 * workspace-write sandbox (the worktree and temp folders writable, no network).
 */
export const codexPreset: AgentPresetSpec = {
  command: 'codex exec --skip-git-repo-check --sandbox workspace-write --color never - < {promptFile}',
  passEnv: ['OPENAI_API_KEY', 'CODEX_HOME'],
  npm: { name: '@openai/codex', version: '0.171.0', bin: 'codex' },
  protocol: 'responses',
  configure: ({ endpoint, home }) => {
    const codexHome = path.join(home, '.codex');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(path.join(codexHome, 'config.toml'), [
      `model = ${toml(endpoint.model)}`,
      'model_provider = "caid"',
      'check_for_update_on_startup = false',
      '',
      '[model_providers.caid]',
      'name = "caid"',
      `base_url = ${toml(endpoint.openaiBaseUrl)}`,
      // The token is read from the environment, so it is never written to a file.
      'env_key = "CAID_CODEX_TOKEN"',
      'wire_api = "responses"',
      '',
      '[analytics]',
      'enabled = false',
      '',
    ].join('\n'));
    return { ...homeEnv(home), CODEX_HOME: codexHome, CAID_CODEX_TOKEN: endpoint.token };
  },
};
