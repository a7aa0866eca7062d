import { logger } from '@caid/log';
import { fetch as undiciFetch } from 'undici';

const log = logger('llm');

/** Which server's own report of its context size to ask for. */
export type ContextProbe = 'llamacpp' | 'ollama' | 'vllm';

export interface ContextProbeOptions {
  probe: ContextProbe;
  /** The OpenAI-compatible base URL (ending in /v1 as configured). */
  baseURL: string;
  model: string;
  apiKey?: string;
  /** Per probe request; a server that does not answer in time keeps the preset's figure. Default 5 s. */
  timeoutMs?: number;
}

/** `exact`: the size the server runs with; otherwise only an upper bound (the model's maximum). */
export interface ServerContext { tokens: number; exact: boolean }

const asked = new Map<string, Promise<ServerContext | undefined>>();

/**
 * The context size the server really runs with, asked once per endpoint and model (every Model of
 * the process shares the answer): llama-server's `/props` (`default_generation_settings.n_ctx`,
 * per slot, which is what one request gets) or `/slots`; Ollama's `/api/show` (`num_ctx` when the
 * model sets one, else the model's `context_length`); vLLM's `/v1/models` (`max_model_len`).
 * Undefined when the server does not say; the caller keeps its preset then (and takes the smaller
 * of the two when the answer is only the model's maximum).
 */
export function serverContextWindow(o: ContextProbeOptions): Promise<ServerContext | undefined> {
  const key = `${o.probe} ${o.baseURL} ${o.model}`;
  let answer = asked.get(key);
  if (!answer) {
    answer = probe(o).catch((e: unknown) => {
      log.debug({ err: e, baseURL: o.baseURL }, 'context probe failed: the preset\'s context window stays');
      return undefined;
    });
    asked.set(key, answer);
  }
  return answer;
}

async function probe(o: ContextProbeOptions): Promise<ServerContext | undefined> {
  const root = o.baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
  const get = async (path: string, body?: unknown): Promise<unknown> => {
    const res = await undiciFetch(`${root}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 5_000),
    });
    if (!res.ok) {
      log.debug({ url: `${root}${path}`, status: res.status }, 'context probe: no answer');
      await res.body?.cancel();
      return undefined;
    }
    return res.json();
  };
  if (o.probe === 'llamacpp') {
    const props = await get('/props') as { default_generation_settings?: { n_ctx?: unknown } } | undefined;
    const fromProps = positive(props?.default_generation_settings?.n_ctx);
    if (fromProps) return { tokens: fromProps, exact: true };
    // Older builds, or /props disabled: every slot reports its n_ctx.
    const slots = await get('/slots');
    return exact(Array.isArray(slots) ? positive((slots[0] as { n_ctx?: unknown } | undefined)?.n_ctx) : undefined);
  }
  if (o.probe === 'ollama') {
    const show = await get('/api/show', { model: o.model }) as { parameters?: unknown; model_info?: Record<string, unknown> } | undefined;
    // The OpenAI endpoint runs with the Modelfile's num_ctx when it sets one; context_length is the model's maximum.
    const numCtx = typeof show?.parameters === 'string' ? /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.parameters)?.[1] : undefined;
    if (numCtx) return exact(positive(Number(numCtx)));
    // Without num_ctx Ollama runs with its own default (OLLAMA_CONTEXT_LENGTH), which it does not report.
    const entry = Object.entries(show?.model_info ?? {}).find(([k]) => k.endsWith('.context_length'));
    const most = positive(entry?.[1]);
    return most ? { tokens: most, exact: false } : undefined;
  }
  const models = await get('/v1/models') as { data?: { id?: string; max_model_len?: unknown }[] } | undefined;
  const entry = models?.data?.find((m) => m.id === o.model) ?? models?.data?.[0];
  return exact(positive(entry?.max_model_len));
}

const exact = (tokens: number | undefined): ServerContext | undefined => (tokens ? { tokens, exact: true } : undefined);

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
