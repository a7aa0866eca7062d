import type { ChatMessage, ToolCall, ToolSpec } from '../model.js';
import { argumentsText, asArray, asObject, asString, type Json, type ParsedRequest, positiveInt, textOf, toolSpec } from './parsed-request.js';

/** Reads a chat-completions request body leniently (content parts flattened to text, `developer` as system). */
export function parseChatRequest(body: Json): ParsedRequest {
  const tools = asArray(body.tools)
    .map((t) => {
      const f = asObject(asObject(t).function);
      return toolSpec(f.name, f.description, f.parameters);
    })
    .filter((t): t is ToolSpec => t !== undefined);
  const maxTokens = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens);
  return {
    model: asString(body.model),
    stream: body.stream === true,
    messages: asArray(body.messages).map(chatMessage),
    tools,
    ...(maxTokens ? { maxTokens } : {}),
    includeUsage: asObject(body.stream_options).include_usage === true,
  };
}

export function chatMessage(raw: unknown): ChatMessage {
  const m = asObject(raw);
  switch (m.role) {
    case 'assistant': {
      const calls: ToolCall[] = asArray(m.tool_calls).map((c, i) => {
        const call = asObject(c);
        const f = asObject(call.function);
        return { id: asString(call.id) || `call_${i}`, type: 'function', function: { name: asString(f.name), arguments: argumentsText(f.arguments) } };
      });
      const content = m.content === null || m.content === undefined ? null : textOf(m.content);
      return calls.length ? { role: 'assistant', content, tool_calls: calls } : { role: 'assistant', content };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: asString(m.tool_call_id), content: textOf(m.content) };
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(m.content) };
    default:
      return { role: 'user', content: textOf(m.content) };
  }
}
