import OpenAI from 'openai';
import { fetch as undiciFetch } from 'undici';
import { accumulateStream } from './accumulate-stream.js';
import { chatRequestBody } from './chat-request-body.js';
import { endpointLimiter } from './endpoint-limiter.js';
import { httpDispatcher, type HttpTimeouts } from './http-dispatcher.js';
import type { Model, ModelError, ModelReply, ModelRequest } from './model.js';
import { normaliseMessage } from './normalise-message.js';
import { DEFAULT_CAPABILITIES, type Capabilities } from './providers.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from './retry.js';
import { parseTextToolCalls, toTextToolRequest } from './text-tool-protocol.js';
import { type Pricing, tokenUsage } from './token-usage.js';
import { toModelError } from './to-model-error.js';

export interface OpenAICompatibleOptions {
  /** e.g. `http://localhost:11434/v1` (Ollama) or `https://api.openai.com/v1`. */
  baseURL: string;
  model: string;
  /** Local servers need none; a placeholder is sent because the SDK refuses to start without one. */
  apiKey?: string;
  /** Stream the reply (usage comes from the final chunk). Default false. */
  stream?: boolean;
  /** Retries on connection errors, 408, 409, 429 and 5xx, honouring Retry-After. Default 4. */
  maxRetries?: number;
  /** Backoff tuning (tests shorten it). */
  retry?: Partial<RetryPolicy>;
  /** Whole request, per attempt; default none beyond the HTTP timeouts. */
  timeoutMs?: number;
  /** HTTP connect / headers / body timeouts (default 30 s / 30 min / 30 min). */
  timeouts?: HttpTimeouts;
  /** Requests in flight to this base URL, shared by every Model in the process. Default unlimited. */
  maxConcurrentRequests?: number;
  capabilities?: Partial<Capabilities>;
  pricing?: Pricing;
  onRetry?: (e: ModelError, waitMs: number) => void;
  /** Cap on each reply's tokens when the request sets none. Default a quarter of the context window, at most 8,192. */
  maxReplyTokens?: number;
}

const NO_KEY = 'sk-no-key';

/**
 * A `Model` for any server speaking OpenAI chat completions (OpenAI, OpenRouter, Ollama, vLLM,
 * llama.cpp, LM Studio). Every failure, including an abort through `request.signal`, rejects with
 * a `ModelError`; an abort is `ModelError('aborted')`. Retries are ours, not the SDK's, so the
 * policy (backoff, jitter, Retry-After) is one tested piece of code.
 */
export function openaiCompatible(o: OpenAICompatibleOptions): Model {
  const apiKey = o.apiKey || NO_KEY;
  const caps = { ...DEFAULT_CAPABILITIES, ...o.capabilities };
  const client = new OpenAI({
    baseURL: o.baseURL,
    apiKey,
    maxRetries: 0,
    fetch: undiciFetch as unknown as typeof fetch,
    // undici 7 types differ from the bundled ones; the runtime shape is what the SDK passes to fetch.
    fetchOptions: { dispatcher: httpDispatcher(o.timeouts) } as object,
    timeout: o.timeoutMs ?? o.timeouts?.headersMs ?? 30 * 60_000,
  });
  const limiter = o.maxConcurrentRequests ? endpointLimiter(o.baseURL, o.maxConcurrentRequests) : undefined;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...o.retry, maxRetries: o.maxRetries ?? o.retry?.maxRetries ?? DEFAULT_RETRY.maxRetries };
  let callCount = 0;
  // Unique per model instance, so generated ids never repeat within a conversation.
  const newId = () => `call_${++callCount}`;

  // Every request carries max_tokens: without it a local server generates until its context is full
  // (llama-server: one reply ran 7,282 tokens for 578 s).
  const replyCap = o.maxReplyTokens ?? Math.min(8_192, Math.max(256, Math.floor(caps.contextWindow / 4)));

  async function once(asked: ModelRequest): Promise<ModelReply> {
    const request = asked.maxTokens === undefined ? { ...asked, maxTokens: replyCap } : asked;
    const wire = caps.nativeTools ? request : toTextToolRequest(request);
    const body = chatRequestBody(o.model, wire);
    // Servers that cannot stream tool-call deltas (older Ollama) get a plain request when tools are offered.
    const stream = o.stream && (caps.streamingToolCalls || body.tools === undefined);
    const options = request.signal ? { signal: request.signal } : {};
    try {
      let content: string | null | undefined;
      let calls;
      let finishReason: string | null | undefined;
      let usage;
      if (stream) {
        const chunks = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, options);
        const streamed = await accumulateStream(chunks);
        // The SDK ends a stream quietly when it is aborted mid-way; a partial reply must not pass as complete.
        if (request.signal?.aborted) throw new Error('aborted');
        ({ content, toolCalls: calls, finishReason, usage } = streamed);
      } else {
        const res = await client.chat.completions.create({ ...body, stream: false }, options);
        const choice = res.choices?.[0];
        if (!choice) throw new Error(`model server returned no choices for model ${o.model}`);
        ({ content, tool_calls: calls } = choice.message ?? {});
        finishReason = choice.finish_reason;
        usage = res.usage;
      }
      if (!caps.nativeTools) ({ content, calls } = parseTextToolCalls(content));
      const message = normaliseMessage(content, calls, newId);
      const finish = (!caps.nativeTools && message.tool_calls ? 'tool_calls' : finishReason) ?? (message.tool_calls ? 'tool_calls' : 'stop');
      return { message, finishReason: finish, usage: tokenUsage(usage, request, message, o.pricing) };
    } catch (err) {
      throw toModelError(err, { apiKey, baseURL: o.baseURL, timeoutMs: o.timeoutMs, signal: request.signal });
    }
  }

  const complete = (request: ModelRequest): Promise<ModelReply> =>
    withRetries(() => (limiter ? limiter.run(() => once(request), request.signal).catch((e) => {
      throw toModelError(e, { apiKey, baseURL: o.baseURL, signal: request.signal });
    }) : once(request)), policy, request.signal, o.onRetry);

  return { name: o.model, contextWindow: caps.contextWindow, complete };
}
