import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '@caid/core';
import { loadConfig } from './load-config.js';

let dir: string;
const fresh = () => (dir = mkdtempSync(path.join(os.tmpdir(), 'caid-config-')));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('is empty without a file, and reads YAML or JSON from the repository root', () => {
    fresh();
    expect(loadConfig(dir)).toEqual({ config: {} });
    writeFileSync(path.join(dir, 'caid.config.json'), JSON.stringify({ models: { worker: { provider: 'vllm', model: 'q', maxConcurrentRequests: 2 } }, budget: { usd: 3 } }));
    expect(loadConfig(dir).config).toEqual({ models: { worker: { provider: 'vllm', model: 'q', maxConcurrentRequests: 2 } }, budget: { usd: 3 } });
    writeFileSync(path.join(dir, 'caid.config.yaml'), 'sandbox: bwrap\nagent: { preset: aider, passEnv: [AIDER_MODEL] }\nlimits: { taskTokens: 1000 }\n');
    const yaml = loadConfig(dir);
    expect(yaml.file).toBe(path.join(dir, 'caid.config.yaml'));
    expect(yaml.config).toEqual({ sandbox: 'bwrap', agent: { preset: 'aider', passEnv: ['AIDER_MODEL'] }, limits: { taskTokens: 1000 } });
  });

  it('names every problem: unknown keys, bad values, a key where a variable name belongs, broken syntax', () => {
    fresh();
    const file = path.join(dir, 'other.yaml');
    writeFileSync(file, 'models:\n  worker: { provider: bard, apiKeyEnv: "sk-123" }\nagent: { command: "aider" }\nsandbox: docker\n');
    const err = (() => { try { loadConfig(dir, file); } catch (e) { return e as InputError; } })()!;
    expect(err).toBeInstanceOf(InputError);
    expect(err.details.map((d) => d.split(':')[0])).toEqual(['models.worker.provider', 'models.worker.apiKeyEnv', 'agent.command', 'sandbox']);
    writeFileSync(file, 'models: [\n');
    expect(() => loadConfig(dir, file)).toThrow(/is not valid YAML/);
    expect(() => loadConfig(dir, path.join(dir, 'missing.yaml'))).toThrow(/cannot read config file .*missing\.yaml: there is no such file/);
  });
});
