import type { ModelReply } from '../model.js';
import type { ReplyParts } from '../protocols/reply-parts.js';

/** A model's reply as the protocol encoders take it. */
export function replyPartsOf(reply: ModelReply): ReplyParts {
  const { inputTokens, outputTokens } = reply.usage;
  return {
    content: reply.message.content,
    toolCalls: (reply.message.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
    finishReason: reply.finishReason,
    usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
  };
}
