import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_PRESET_SPECS } from './index.js';
import { endpointOf } from '../external-agent.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const endpoint = { openaiBaseUrl: 'http://127.0.0.1:4555/v1', anthropicBaseUrl: 'http://127.0.0.1:4555', token: 'caid-run-token-0123456789abcdef', model: 'qwen-coder' };

const filesUnder = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
  const p = path.join(dir, n);
  return statSync(p).isDirectory() ? filesUnder(p) : [p];
});

describe('agent presets pointed at caid\'s endpoint', () => {
  for (const [name, spec] of Object.entries(AGENT_PRESET_SPECS)) {
    const configure = 'configure' in spec ? spec.configure : undefined;
    const protocol = 'protocol' in spec ? spec.protocol : undefined;
    if (!configure) continue;
    it(`${name}: config only under the scratch home, the token only in the environment`, () => {
      const home = mkdtempSync(path.join(os.tmpdir(), `caid-preset-${name}-`));
      dirs.push(home);
      const env = configure({ endpoint, home });
      expect(env.HOME).toBe(home);
      for (const [k, v] of Object.entries(env)) {
        if (/^(HOME|XDG_|CODEX_HOME|CLAUDE_CONFIG_DIR|PI_CODING_AGENT_DIR)/.test(k)) expect(v.startsWith(home), `${k}=${v}`).toBe(true);
      }
      expect(Object.values(env)).toContain(endpoint.token);
      const written = filesUnder(home).map((f) => readFileSync(f, 'utf8'));
      for (const text of written) expect(text).not.toContain(endpoint.token);
      // Every tool is told where the endpoint is and which model to ask for, in a file or a variable.
      const all = [...written, ...Object.values(env)].join('\n');
      expect(all).toContain(protocol === 'anthropic' ? endpoint.anthropicBaseUrl : endpoint.openaiBaseUrl);
      expect(all).toContain(endpoint.model);
    });
  }

  it('every real preset pins an exact npm version that tools/agent-clis installs', () => {
    const tools = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../../tools/agent-clis/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const spec of Object.values(AGENT_PRESET_SPECS)) {
      if (!('npm' in spec) || !spec.npm) continue;
      expect(spec.npm.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(tools.dependencies[spec.npm.name]).toBe(spec.npm.version);
    }
  });

  it('reads the endpoint from the environment caid gives the agent', () => {
    expect(endpointOf({})).toBeUndefined();
    expect(endpointOf({ CAID_ENDPOINT_URL: 'http://127.0.0.1:9/v1', CAID_ENDPOINT_TOKEN: 't', CAID_ENDPOINT_MODEL: 'm' }))
      .toEqual({ openaiBaseUrl: 'http://127.0.0.1:9/v1', anthropicBaseUrl: 'http://127.0.0.1:9', token: 't', model: 'm' });
  });
});
