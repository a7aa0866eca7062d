/** What a server can do; caid only sends what the capability record allows. */
export interface Capabilities {
  /** OpenAI `tools` / `tool_calls`. Without it, tool calls are read from a JSON block in the reply text. */
  nativeTools: boolean;
  /** Tool-call arguments arrive in stream deltas. */
  streamingToolCalls: boolean;
  /** `response_format: json_schema`. */
  jsonSchema: boolean;
  parallelToolCalls: boolean;
  /** Tokens; used to decide when to condense history before the server silently truncates. */
  contextWindow: number;
}

export interface ProviderPreset {
  baseURL: string;
  /** The variable the key is read from unless the config names another. */
  apiKeyEnv: string;
  needsKey: boolean;
  capabilities: Capabilities;
}

const local = (baseURL: string, c: Partial<Capabilities> = {}): ProviderPreset => ({
  baseURL, apiKeyEnv: 'OPENAI_API_KEY', needsKey: false,
  capabilities: { nativeTools: true, streamingToolCalls: true, jsonSchema: true, parallelToolCalls: false, contextWindow: 32_768, ...c },
});

/**
 * Presets per provider (libs.md 1.6): Ollama's OpenAI endpoint ignores per-request context sizes
 * (8k unless the Modelfile says otherwise); LM Studio rejects json_object; none of the local
 * servers is trusted with parallel tool calls.
 */
export const PROVIDER_PRESETS = {
  openai: {
    baseURL: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', needsKey: true,
    capabilities: { nativeTools: true, streamingToolCalls: true, jsonSchema: true, parallelToolCalls: true, contextWindow: 128_000 },
  },
  openrouter: {
    baseURL: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY', needsKey: true,
    capabilities: { nativeTools: true, streamingToolCalls: true, jsonSchema: false, parallelToolCalls: false, contextWindow: 128_000 },
  },
  ollama: local('http://127.0.0.1:11434/v1', { contextWindow: 8_192, streamingToolCalls: false }),
  vllm: local('http://127.0.0.1:8000/v1'),
  llamacpp: local('http://127.0.0.1:8080/v1', { jsonSchema: true }),
  lmstudio: local('http://127.0.0.1:1234/v1', { jsonSchema: false }),
} satisfies Record<string, ProviderPreset>;

export type Provider = keyof typeof PROVIDER_PRESETS;

/** Capabilities when no provider is named: assume a capable OpenAI-compatible server. */
export const DEFAULT_CAPABILITIES: Capabilities = PROVIDER_PRESETS.openai.capabilities;
