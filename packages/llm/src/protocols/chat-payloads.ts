import { pieces, type ReplyMeta, type ReplyParts, type SseEvent } from './reply-parts.js';

/** A non-streaming `chat.completion` object. */
export function completionBody(w: ReplyParts, meta: ReplyMeta): object {
  const message: Record<string, unknown> = { role: 'assistant', content: w.content, refusal: null };
  if (w.toolCalls.length) {
    message.tool_calls = w.toolCalls.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.arguments },
    }));
  }
  return {
    ...meta,
    object: 'chat.completion',
    choices: [{ index: 0, message, finish_reason: w.finishReason, logprobs: null }],
    usage: w.usage,
  };
}

/**
 * The `chat.completion.chunk` objects of a streamed reply, cut the way OpenAI cuts them: text and
 * arguments arrive in several pieces, so clients that fail to accumulate are caught.
 */
export function completionChunks(w: ReplyParts, meta: ReplyMeta, includeUsage: boolean): object[] {
  const chunk = (delta: object, finish_reason: string | null = null) => ({
    ...meta,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason, logprobs: null }],
  });
  const chunks: object[] = [chunk({ role: 'assistant', content: w.content === null ? null : '' })];
  for (const piece of pieces(w.content ?? '')) chunks.push(chunk({ content: piece }));
  w.toolCalls.forEach((t, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }));
    for (const piece of pieces(t.arguments)) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  chunks.push(chunk({}, w.finishReason));
  if (includeUsage) chunks.push({ ...meta, object: 'chat.completion.chunk', choices: [], usage: w.usage });
  return chunks;
}

/** The whole SSE stream of a chat completion, `[DONE]` included. */
export function completionEvents(w: ReplyParts, meta: ReplyMeta, includeUsage: boolean): SseEvent[] {
  return [...completionChunks(w, meta, includeUsage).map((data) => ({ data })), { data: '[DONE]' }];
}
