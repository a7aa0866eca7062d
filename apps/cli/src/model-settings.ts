import { InputError, type Config, type ModelConfig, type ModelRole, type ProviderName, PROVIDERS } from '@caid/core';
import { openaiCompatible, PROVIDER_PRESETS, type Model } from '@caid/llm';

export interface ModelFlags {
  model?: string;
  baseUrl?: string;
  stream?: boolean;
  provider?: string;
  apiKeyEnv?: string;
  maxConcurrentRequests?: string;
}

const NEEDS_KEY = /(^|\.)(openai\.com|openrouter\.ai)$/;

/**
 * The model of one role. Flags first (they apply to the worker role, and to the others when the
 * config does not set them), then the config's section for the role (planner and resolver fall
 * back to worker), then OPENAI_BASE_URL / CAID_MODEL / the key variable, then the provider preset.
 * Every error names what to set; the key itself is only ever read from the environment.
 */
export function modelFromSettings(f: ModelFlags, env: NodeJS.ProcessEnv = process.env, config: Config = {}, role: ModelRole = 'worker'): Model {
  const c: ModelConfig = { ...config.models?.worker, ...(role === 'worker' ? {} : config.models?.[role]) };
  const provider = (f.provider ?? c.provider) as ProviderName | undefined;
  if (provider !== undefined && !PROVIDERS.includes(provider)) throw new InputError(`unknown provider "${provider}"; use one of ${PROVIDERS.join(', ')}`);
  const preset = provider ? PROVIDER_PRESETS[provider] : undefined;
  const baseURL = f.baseUrl ?? c.baseURL ?? preset?.baseURL ?? env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  let host: string;
  try {
    host = new URL(baseURL).hostname;
  } catch {
    throw new InputError(`--base-url / OPENAI_BASE_URL "${baseURL}" is not a URL (e.g. http://127.0.0.1:11434/v1 for Ollama)`);
  }
  const model = f.model ?? c.model ?? env.CAID_MODEL;
  if (!model) throw new InputError(`no model named for the ${role}: pass --model NAME or set CAID_MODEL, or models.${role}.model in caid.config.yaml (e.g. qwen2.5-coder:14b for Ollama, gpt-4.1 for OpenAI)`);
  const named = f.apiKeyEnv ?? c.apiKeyEnv;
  const keyEnv = named ?? preset?.apiKeyEnv ?? 'OPENAI_API_KEY';
  // Without an explicit name, OPENAI_API_KEY still works for every provider, as it always has.
  const apiKey = env[keyEnv] || (named ? undefined : env.OPENAI_API_KEY) || undefined;
  if (!apiKey && (preset?.needsKey ?? NEEDS_KEY.test(host))) {
    throw new InputError(`${host} needs an API key: set ${keyEnv} in the environment (caid reads keys from the environment only, never from flags or files)`);
  }
  const maxConcurrentRequests = f.maxConcurrentRequests !== undefined ? Number(f.maxConcurrentRequests) : c.maxConcurrentRequests;
  if (maxConcurrentRequests !== undefined && !(Number.isInteger(maxConcurrentRequests) && maxConcurrentRequests > 0)) {
    throw new InputError(`--max-concurrent-requests takes a whole number of at least 1, not "${f.maxConcurrentRequests}"`);
  }
  return openaiCompatible({
    baseURL, model, apiKey, stream: f.stream ?? c.stream ?? false, maxConcurrentRequests,
    ...(c.maxRetries !== undefined ? { maxRetries: c.maxRetries } : {}),
    timeouts: c.timeouts, ...(c.timeouts?.requestMs ? { timeoutMs: c.timeouts.requestMs } : {}),
    capabilities: { ...preset?.capabilities, ...c.capabilities }, pricing: c.pricing,
  });
}
