import OpenAI from 'openai';
import { accumulateStream } from './accumulate-stream.js';
import { chatRequestBody } from './chat-request-body.js';
import type { Model, ModelReply, ModelRequest } from './model.js';
import { normaliseMessage } from './normalise-message.js';
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
  /** Retries by the SDK on connection errors, 408, 409, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** Per attempt; the SDK default is 10 minutes. */
  timeoutMs?: number;
  pricing?: Pricing;
}

const NO_KEY = 'sk-no-key';

/**
 * A `Model` for any server speaking OpenAI chat completions (OpenAI, OpenRouter, Ollama, vLLM,
 * llama.cpp, LM Studio). Every failure, including an abort through `request.signal`, rejects with
 * a `ModelError`; an abort is `ModelError('aborted')`.
 */
export function openaiCompatible(o: OpenAICompatibleOptions): Model {
  const apiKey = o.apiKey || NO_KEY;
  const client = new OpenAI({
    baseURL: o.baseURL,
    apiKey,
    maxRetries: o.maxRetries ?? 2,
    ...(o.timeoutMs !== undefined ? { timeout: o.timeoutMs } : {}),
  });
  let callCount = 0;
  // Unique per model instance, so generated ids never repeat within a conversation.
  const newId = () => `call_${++callCount}`;

  async function complete(request: ModelRequest): Promise<ModelReply> {
    const body = chatRequestBody(o.model, request);
    const options = request.signal ? { signal: request.signal } : {};
    try {
      if (o.stream) {
        const stream = await client.chat.completions.create(
          { ...body, stream: true, stream_options: { include_usage: true } },
          options,
        );
        const streamed = await accumulateStream(stream);
        // The SDK ends a stream quietly when it is aborted mid-way; a partial reply must not pass as complete.
        if (request.signal?.aborted) throw new Error('aborted');
        const message = normaliseMessage(streamed.content, streamed.toolCalls, newId);
        const finishReason = streamed.finishReason ?? (message.tool_calls ? 'tool_calls' : 'stop');
        return { message, finishReason, usage: tokenUsage(streamed.usage, request, message, o.pricing) };
      }
      const res = await client.chat.completions.create({ ...body, stream: false }, options);
      const choice = res.choices?.[0];
      if (!choice) throw new Error(`model server returned no choices for model ${o.model}`);
      const message = normaliseMessage(choice.message?.content, choice.message?.tool_calls, newId);
      const finishReason = choice.finish_reason ?? (message.tool_calls ? 'tool_calls' : 'stop');
      return { message, finishReason, usage: tokenUsage(res.usage, request, message, o.pricing) };
    } catch (err) {
      throw toModelError(err, { apiKey, baseURL: o.baseURL, timeoutMs: o.timeoutMs, signal: request.signal });
    }
  }

  return { name: o.model, complete };
}
