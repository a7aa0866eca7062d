import { logger } from '@caid/log';
import type { Capabilities } from './providers.js';
import type { Model } from './model.js';
import { serverContextWindow, type ContextProbe } from './server-context.js';

const CONTEXT_SOURCE: Record<ContextProbe, string> = { vllm: 'vLLM max_model_len', llamacpp: 'llama-server n_ctx', ollama: 'Ollama /api/show' };

const log = logger('llm');

/** What a model server says about itself, from read-only GET requests (no tokens spent). */
export interface ServerProbe {
  reachable: boolean;
  /** Why not reachable: the network error or HTTP status. */
  problem?: string;
  models: string[];
  /** Tokens of context the server reports for the model (llama-server n_ctx, vLLM max_model_len, Ollama context_length). */
  contextWindow?: number;
  /** Where `contextWindow` came from, for the user. */
  contextSource?: string;
}

export interface ProbeOptions {
  apiKey?: string;
  /** The model whose context window to look up. */
  model?: string;
  timeoutMs?: number;
}

/** `http://h:8080/v1` → `http://h:8080`: llama-server's /props and Ollama's /api live beside /v1. */
export const serverOrigin = (baseURL: string) => baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');

async function getJson(url: string, o: ProbeOptions, init: RequestInit = {}): Promise<{ status: number; body?: unknown; error?: string }> {
  try {
    const res = await fetch(url, {
      ...init,
      headers: { ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(o.timeoutMs ?? 3_000),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch (err) {
      log.debug({ err, url, status: res.status }, 'probe: reply is not JSON');
      return { status: res.status };
    }
  } catch (err) {
    log.debug({ err, url }, 'probe: no answer');
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { status: 0, error: cause ?? (err as Error).message };
  }
}

/**
 * Lists the server's models (`GET /v1/models`) and, where the server reports it, the context
 * window of `o.model` (through `serverContextWindow`).
 */
export async function probeServer(baseURL: string, o: ProbeOptions = {}): Promise<ServerProbe> {
  const base = baseURL.replace(/\/+$/, '');
  const listed = await getJson(`${base}/models`, o);
  if (listed.status !== 200) {
    return { reachable: false, problem: listed.status ? `GET ${base}/models answered HTTP ${listed.status}` : `no answer at ${base} (${listed.error})`, models: [] };
  }
  const data = ((listed.body as { data?: { id?: string }[] })?.data ?? []).filter((m) => typeof m.id === 'string');
  const out: ServerProbe = { reachable: true, models: data.map((m) => m.id!) };
  // The context size, as the server reports it (llama-server /props n_ctx, vLLM max_model_len, Ollama /api/show).
  if (o.model) {
    for (const kind of ['vllm', 'llamacpp', 'ollama'] as const) {
      const ctx = await serverContextWindow({ probe: kind, baseURL: base, model: o.model, apiKey: o.apiKey, timeoutMs: o.timeoutMs ?? 3_000 });
      if (ctx) return { ...out, contextWindow: ctx.tokens, contextSource: `${CONTEXT_SOURCE[kind]}${ctx.exact ? '' : ' (the model\'s maximum; the server may run with less)'}` };
    }
  }
  return out;
}

/**
 * For a base URL without /v1 that failed: `<base>/v1` when the server answers there (GET
 * `<base>/v1/models`), else undefined. Ollama, llama.cpp, vLLM and LM Studio serve the OpenAI API
 * under /v1, and `--base-url http://127.0.0.1:11434` is the usual slip.
 */
export async function v1Instead(baseURL: string, o: ProbeOptions = {}): Promise<string | undefined> {
  const base = baseURL.replace(/\/+$/, '');
  let pathname: string;
  try {
    pathname = new URL(base).pathname;
  } catch (err) {
    log.debug({ err, baseURL }, 'probe: not a URL');
    return undefined;
  }
  if (/\/v1(\/|$)/.test(pathname)) return undefined;
  return (await getJson(`${base}/v1/models`, o)).status === 200 ? `${base}/v1` : undefined;
}

/** Ollama's own model list (`GET /api/tags`), for servers that are Ollama. */
export async function ollamaModels(origin: string, o: ProbeOptions = {}): Promise<string[] | null> {
  const r = await getJson(`${origin}/api/tags`, o);
  if (r.status !== 200) return null;
  return ((r.body as { models?: { name?: string }[] })?.models ?? []).flatMap((m) => (typeof m.name === 'string' ? [m.name] : []));
}

export type ToolCallMode = 'native' | 'json-block' | 'none';

/**
 * How the model answers a one-tool probe: with a native tool call, with caid's JSON-block
 * fallback (tools described in text, `nativeTools: false`), or neither. `make` builds the model
 * with the given capabilities (one attempt, no retries). Costs at most two short requests.
 */
export async function probeToolCalls(make: (capabilities: Partial<Capabilities>) => Model): Promise<{ mode: ToolCallMode; problem?: string }> {
  const request = {
    messages: [{ role: 'user' as const, content: 'caid doctor: call the ping tool now, with no arguments.' }],
    tools: [{ name: 'ping', description: 'answers the caid doctor check', parameters: { type: 'object', properties: {} } }],
    maxTokens: 128,
  };
  let problem: string | undefined;
  for (const [mode, caps] of [['native', { nativeTools: true }], ['json-block', { nativeTools: false }]] as const) {
    try {
      const reply = await make(caps).complete(request);
      if (reply.message.tool_calls?.some((c) => c.function.name === 'ping')) return { mode };
    } catch (err) {
      log.debug({ err, mode }, 'tool-call probe failed');
      problem = (err as Error).message;
    }
  }
  return { mode: 'none', problem };
}
