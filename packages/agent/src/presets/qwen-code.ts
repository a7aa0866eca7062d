import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { homeEnv, type AgentPresetSpec } from './preset-spec.js';

/**
 * Qwen Code (`@qwen-code/qwen-code`): the prompt on stdin, every tool approved (`--approval-mode
 * yolo`), chat completions at OPENAI_BASE_URL; `~/.qwen/settings.json` turns off usage statistics,
 * telemetry and update checks.
 */
export const qwenCodePreset: AgentPresetSpec = {
  command: 'qwen --auth-type openai --approval-mode yolo < {promptFile}',
  passEnv: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL', 'DASHSCOPE_API_KEY'],
  npm: { name: '@qwen-code/qwen-code', version: '0.24.4', bin: 'qwen' },
  protocol: 'chat',
  configure: ({ endpoint, home }) => {
    const dir = path.join(home, '.qwen');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'settings.json'), `${JSON.stringify({
      general: { enableAutoUpdate: false, disableAutoUpdate: true, disableUpdateNag: true },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    }, null, 2)}\n`);
    return {
      ...homeEnv(home),
      OPENAI_BASE_URL: endpoint.openaiBaseUrl,
      OPENAI_API_KEY: endpoint.token,
      OPENAI_MODEL: endpoint.model,
      QWEN_CODE_SUPPRESS_YOLO_WARNING: '1',
    };
  },
};
