import { InputError, type ModelConfig, type ModelRole, type RunSettings } from '@caid/core';
import { openaiCompatible, PROVIDER_PRESETS, type ContextProbe, type Model } from '@caid/llm';

const NEEDS_KEY = /(^|\.)(openai\.com|openrouter\.ai)$/;

/** Servers that say how much context they run with; their answer replaces the preset's guess. */
const PROBES: Partial<Record<string, ContextProbe>> = { llamacpp: 'llamacpp', ollama: 'ollama', vllm: 'vllm' };

/** Where nobody said where the model is. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Where a model reference points and which key goes with it: one rule for runs, resumes and
 * `caid doctor`. A key is read only from the variable the reference names; without a name,
 * OPENAI_API_KEY still works for every provider, as it always has. A named variable that is unset
 * never falls back to OPENAI_API_KEY: that key must not go to another provider's server.
 */
export function modelEndpoint(c: ModelConfig, env: NodeJS.ProcessEnv = process.env) {
  const preset = c.provider ? PROVIDER_PRESETS[c.provider] : undefined;
  const baseURL = c.baseURL ?? preset?.baseURL ?? env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
  const keyEnv = c.apiKeyEnv ?? preset?.apiKeyEnv ?? 'OPENAI_API_KEY';
  const apiKey = env[keyEnv] || (c.apiKeyEnv ? undefined : env.OPENAI_API_KEY) || undefined;
  return { preset, baseURL, keyEnv, apiKey };
}

/** The reference a role's model is built from: its own section, else the worker's. */
export function modelRef(settings: RunSettings, role: ModelRole): ModelConfig {
  return (role === 'worker' ? undefined : settings.models[role]) ?? settings.models.worker;
}

/**
 * The model of one role, from its resolved reference (see resolveSettings). The key itself is only
 * ever read from the environment, from the variable the reference names; every error names what
 * to set.
 */
export function modelFromSettings(settings: RunSettings, role: ModelRole = 'worker', env: NodeJS.ProcessEnv = process.env): Model {
  const c = modelRef(settings, role);
  const { preset, baseURL, keyEnv, apiKey } = modelEndpoint(c, env);
  const host = new URL(baseURL).hostname;
  const model = c.model;
  if (!model) throw new InputError(`no model named for the ${role}: pass --model NAME or set CAID_MODEL, or models.${role}.model in caid.config.yaml (e.g. qwen2.5-coder:14b for Ollama, gpt-4.1 for OpenAI)`);
  if (!apiKey && (preset?.needsKey ?? NEEDS_KEY.test(host))) {
    // Name the provider and the whole URL: `--provider openrouter` over a config's local baseURL
    // used to read "127.0.0.1 needs an API key", which pointed nowhere.
    const who = c.provider && preset?.baseURL && new URL(preset.baseURL).hostname !== host ? `the ${c.provider} provider at ${baseURL}` : host;
    throw new InputError(`${who} needs an API key: set ${keyEnv} in the environment (caid reads keys from the environment only, never from flags or files)${who === host ? '' : `; or drop --provider ${c.provider} / pass the --base-url you meant`}`);
  }
  return openaiCompatible({
    baseURL, model, apiKey, stream: c.stream ?? false, maxConcurrentRequests: c.maxConcurrentRequests,
    ...(c.maxRetries !== undefined ? { maxRetries: c.maxRetries } : {}),
    timeouts: c.timeouts, ...(c.timeouts?.requestMs ? { timeoutMs: c.timeouts.requestMs } : {}),
    capabilities: { ...preset?.capabilities, ...c.capabilities }, pricing: c.pricing,
    ...(settings.limits.maxReplyTokens !== undefined ? { maxReplyTokens: settings.limits.maxReplyTokens } : {}),
    // A context window the user configured wins over what the server says.
    ...(c.provider && PROBES[c.provider] && c.capabilities?.contextWindow === undefined ? { contextProbe: PROBES[c.provider] } : {}),
  });
}
