import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, type Config, type ModelConfig } from '@caid/core';
import { loadExchanges, startReplayServer, startScriptedModel, when, type ScriptedModelServer } from '@caid/llm/testing';
import { modelFromSettings } from './model-settings.js';
import { resolveSettings } from './resolve-settings.js';

let server: ScriptedModelServer;
beforeAll(async () => { server = await startScriptedModel({ rules: [{ when: when.always(), reply: { content: 'ok' } }] }); });
afterAll(() => server.close());

const ask = (m: ReturnType<typeof modelFromSettings>) =>
  m.complete({ messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'finish', description: 'd', parameters: { type: 'object' } }] });
const model = (flags: ModelConfig, env: NodeJS.ProcessEnv, config: Config = {}, role: 'worker' | 'planner' | 'resolver' = 'worker') =>
  modelFromSettings(resolveSettings({ models: { worker: flags } }, config, env), role, env);

describe('modelFromSettings', () => {
  it('takes the role from config, flags over config, the key from the named variable', async () => {
    const config: Config = { models: { worker: { baseURL: server.url, model: 'cfg-worker', apiKeyEnv: 'MY_KEY' }, resolver: { model: 'cfg-resolver', capabilities: { nativeTools: false } } } };
    const env = { MY_KEY: 'sk-from-my-key-123456', OPENAI_API_KEY: 'sk-not-this-one-123456' };
    await ask(model({}, env, config, 'worker'));
    await ask(model({ model: 'flag-model' }, env, config, 'worker'));
    await ask(model({}, env, config, 'resolver'));
    const [w, f, r] = server.requests.slice(-3);
    expect([w!.conversation.model, f!.conversation.model, r!.conversation.model]).toEqual(['cfg-worker', 'flag-model', 'cfg-resolver']);
    expect(server.requests.slice(-3).every((q) => q.authorization === 'Bearer sk-from-my-key-123456')).toBe(true);
    // the resolver inherits the worker's endpoint, and its capability override turns native tools off
    expect(w!.conversation.tools).toEqual(['finish']);
    expect(r!.conversation.tools).toEqual([]);
  });

  it('uses the provider preset: its base URL, and its key variable when one is needed', async () => {
    const local = model({ provider: 'ollama', model: 'qwen' }, {}, { models: { worker: { maxRetries: 0 } } });
    await expect(ask(local)).rejects.toThrow(/http:\/\/127\.0\.0\.1:11434\/v1/);
    expect(() => model({ provider: 'openrouter', model: 'x' }, {})).toThrow(/set OPENROUTER_API_KEY/);
    expect(() => model({ model: 'x' }, {}, { models: { worker: { provider: 'openai', apiKeyEnv: 'WORK_KEY' } } })).toThrow(/set WORK_KEY/);
    expect(() => model({ provider: 'openrouter', model: 'x' }, { OPENAI_API_KEY: 'sk-legacy-123456789' })).not.toThrow();
    expect(() => model({ baseURL: server.url }, {})).toThrow(InputError);
  });
});

describe('modelFromSettings with llama-server (recorded replies; /props as documented, see fixtures README)', () => {
  const fixtures = new URL('../../../packages/llm/fixtures/llama-server/', import.meta.url).pathname;
  it('the llamacpp provider asks the server for n_ctx; limits.maxReplyTokens (config or --max-reply-tokens) caps max_tokens', async () => {
    const replay = await startReplayServer([...loadExchanges(`${fixtures}props-n-ctx-1280.jsonl`), ...loadExchanges(`${fixtures}trained-finish.jsonl`)]);
    try {
      const config: Config = { models: { worker: { provider: 'llamacpp', baseURL: replay.url, model: 'caid-fixture' } }, limits: { maxReplyTokens: 200 } };
      const m = modelFromSettings(resolveSettings({ limits: { maxReplyTokens: 100 } }, config, {}));
      await ask(m);
      expect(m.contextWindow).toBe(1_280);
      expect((JSON.parse(replay.requests.at(-1)!) as { max_tokens: number }).max_tokens).toBe(100);
      expect(resolveSettings({}, config, {}).limits.maxReplyTokens).toBe(200);
    } finally {
      await replay.close();
    }
  });
});
