import OpenAI, { APIConnectionTimeoutError } from 'openai';
import { fetch as undiciFetch } from 'undici';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions/completions';
import { accumulateStream } from './accumulate-stream.js';
import { chatRequestBody } from './chat-request-body.js';
import { endpointLimiter } from './endpoint-limiter.js';
import { failedRequestUsage, setFailedUsage } from './failed-usage.js';
import { httpDispatcher, type HttpTimeouts } from './http-dispatcher.js';
import { maxReplyTokens } from './max-reply-tokens.js';
import { type Model, ModelError, type ModelReply, type ModelRequest, type StreamDelta, type TokenUsage } from './model.js';
import { normaliseMessage } from './normalise-message.js';
import { DEFAULT_CAPABILITIES, type Capabilities } from './providers.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from './retry.js';
import { parseTextToolCalls, toTextToolRequest } from './text-tool-protocol.js';
import { type ContextProbe, serverContextWindow } from './server-context.js';
import { addTokenUsage, estimateTokens, type Pricing, priced, tokenUsage } from './token-usage.js';
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
  /**
   * Ask the server (once per endpoint) for the context it really runs with, before the first
   * request, and use that instead of `capabilities.contextWindow` (a preset's guess).
   */
  contextProbe?: ContextProbe;
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

  let contextWindow = caps.contextWindow;
  let probed: Promise<void> | undefined;
  // The server's own figure replaces the preset's; an upper bound (Ollama without num_ctx) only lowers it.
  const learnContext = () => (probed ??= o.contextProbe
    ? serverContextWindow({ probe: o.contextProbe, baseURL: o.baseURL, model: o.model, apiKey: o.apiKey }).then((c) => {
      if (c) contextWindow = c.exact ? c.tokens : Math.min(contextWindow, c.tokens);
    })
    : Promise.resolve());

  async function once(request: ModelRequest): Promise<ModelReply> {
    await learnContext();
    const asked = caps.nativeTools ? request : toTextToolRequest(request);
    const promptTokens = estimateTokens(JSON.stringify(asked.messages).length + JSON.stringify(asked.tools).length);
    // Every request carries max_tokens, within the context the prompt leaves: without it a local
    // server generates until its context is full (llama-server: one reply ran 7,282 tokens for 578 s).
    const wire = asked.maxTokens === undefined
      ? { ...asked, maxTokens: maxReplyTokens({ configured: o.maxReplyTokens, contextWindow, promptTokens }) }
      : asked;
    const body = chatRequestBody(o.model, wire);
    let streamedChars = 0;
    const partial = (): TokenUsage => priced(promptTokens, estimateTokens(streamedChars), o.pricing);
    // Servers that cannot stream tool-call deltas (older Ollama) get a plain request when tools are offered.
    const stream = (o.stream || request.onDelta !== undefined) && (caps.streamingToolCalls || body.tools === undefined);
    // Text-protocol tool calls are parsed from the whole reply, so their raw text is not passed on piece by piece.
    const onDelta = caps.nativeTools ? request.onDelta : undefined;
    let delivered = false;
    // The SDK's own timeout stops at the response headers; this one also bounds a streamed body.
    const timer = o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined;
    const signal = timer && request.signal ? AbortSignal.any([request.signal, timer]) : timer ?? request.signal;
    const options = signal ? { signal } : {};
    try {
      let content: string | null | undefined;
      let calls;
      let finishReason: string | null | undefined;
      let usage;
      if (stream) {
        const chunks = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, options);
        const streamed = await accumulateStream(counting(chunks, (n) => {
          streamedChars += n;
          request.onProgress?.(partial());
        }, onDelta && ((d) => {
          delivered = true;
          onDelta(d);
        })));
        // The SDK ends a stream quietly when it is aborted mid-way; a partial reply must not pass as complete.
        if (signal?.aborted) throw new Error('aborted');
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
      const ctx = { apiKey, baseURL: o.baseURL, timeoutMs: o.timeoutMs, signal: request.signal };
      const timedOut = timer?.aborted === true && request.signal?.aborted !== true;
      const first = toModelError(timedOut ? new APIConnectionTimeoutError() : err, ctx);
      // Part of this reply already reached the caller: a retry would send it again from the start.
      const e = delivered && first.retryable ? new ModelError(`${first.message} (after part of the reply was streamed: not retried)`, first.status, false) : first;
      // The server read the prompt unless it refused the request outright (4xx); what it streamed was generated.
      const read = e.status === undefined || e.status >= 500;
      setFailedUsage(e, priced(read ? promptTokens : 0, estimateTokens(streamedChars), o.pricing));
      throw e;
    }
  }

  async function complete(request: ModelRequest): Promise<ModelReply> {
    // What failed attempts cost is added to the reply that finally comes, or to the final error.
    let spent: TokenUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
    const attempt = async () => {
      try {
        return await (limiter ? limiter.run(() => once(request), request.signal) : once(request));
      } catch (e) {
        const used = failedRequestUsage(e);
        if (used) spent = addTokenUsage(spent, used);
        throw toModelError(e, { apiKey, baseURL: o.baseURL, signal: request.signal });
      }
    };
    try {
      const reply = await withRetries(attempt, policy, request.signal, o.onRetry);
      return { ...reply, usage: addTokenUsage(reply.usage, spent) };
    } catch (e) {
      setFailedUsage(e, spent);
      throw e;
    }
  }

  return {
    name: o.model,
    // Read per use: the server's own figure replaces the preset's once the first request has asked it.
    get contextWindow() { return contextWindow; },
    learnContext,
    complete,
  };
}

/**
 * Passes the chunks through, telling how many characters of output (text, reasoning, tool calls) each
 * carried, and handing text and tool-call pieces to `onDelta` as they arrive.
 */
async function* counting(chunks: AsyncIterable<ChatCompletionChunk>, onChars: (n: number) => void, onDelta?: (d: StreamDelta) => void): AsyncGenerator<ChatCompletionChunk> {
  let lastIndex = -1;
  for await (const chunk of chunks) {
    const d = chunk.choices?.[0]?.delta as (ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null }) | undefined;
    let n = (d?.content?.length ?? 0) + (d?.reasoning_content?.length ?? 0);
    for (const c of d?.tool_calls ?? []) n += (c.function?.name?.length ?? 0) + (c.function?.arguments?.length ?? 0);
    if (n > 0) onChars(n);
    if (onDelta) {
      if (d?.content) onDelta({ text: d.content });
      for (const c of d?.tool_calls ?? []) {
        // Servers without `index` (older Ollama) start a new call with each id, as accumulateStream reads them.
        const index = typeof c.index === 'number' ? c.index : c.id ? ++lastIndex : Math.max(lastIndex, 0);
        lastIndex = Math.max(lastIndex, index);
        onDelta({ tool: { index, ...(c.id ? { id: c.id } : {}), ...(c.function?.name ? { name: c.function.name } : {}), ...(c.function?.arguments ? { arguments: c.function.arguments } : {}) } });
      }
    }
    yield chunk;
  }
}
