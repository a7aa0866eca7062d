import { InputError } from '@caid/core';
import { openaiCompatible, type Model } from '@caid/llm';

export interface ModelFlags {
  model?: string;
  baseUrl?: string;
  stream?: boolean;
}

const NEEDS_KEY = /(^|\.)(openai\.com|openrouter\.ai)$/;

/** Flags first, then OPENAI_BASE_URL / CAID_MODEL / OPENAI_API_KEY. Errors name what to set. */
export function modelFromSettings(f: ModelFlags, env: NodeJS.ProcessEnv = process.env): Model {
  const baseURL = f.baseUrl ?? env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  let host: string;
  try {
    host = new URL(baseURL).hostname;
  } catch {
    throw new InputError(`--base-url / OPENAI_BASE_URL "${baseURL}" is not a URL (e.g. http://127.0.0.1:11434/v1 for Ollama)`);
  }
  const model = f.model ?? env.CAID_MODEL;
  if (!model) throw new InputError('no model named: pass --model NAME or set CAID_MODEL (e.g. qwen2.5-coder:14b for Ollama, gpt-4.1 for OpenAI)');
  const apiKey = env.OPENAI_API_KEY || undefined;
  if (!apiKey && NEEDS_KEY.test(host)) throw new InputError(`${host} needs an API key: set OPENAI_API_KEY (it is read from the environment only, never from flags)`);
  return openaiCompatible({ baseURL, model, apiKey, stream: f.stream ?? false });
}
