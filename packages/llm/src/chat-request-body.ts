import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions/completions';
import type { ChatMessage, ModelRequest, ToolSpec } from './model.js';

/**
 * The request body shared by streaming and non-streaming calls, limited to the subset every
 * local server accepts: no `strict`, `parallel_tool_calls` or `response_format`.
 */
export function chatRequestBody(model: string, request: ModelRequest): ChatCompletionCreateParamsBase {
  const body: ChatCompletionCreateParamsBase = { model, messages: request.messages.map(toMessageParam) };
  if (request.tools.length > 0) {
    body.tools = request.tools.map(toFunctionTool);
    body.tool_choice = 'auto';
  }
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  return body;
}

// Copy only the wire fields so transcript entries carrying extra properties never leak into the request.
function toMessageParam(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'tool':
      return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
    case 'assistant':
      return m.tool_calls?.length
        ? {
            role: 'assistant',
            content: m.content,
            tool_calls: m.tool_calls.map((c) => ({
              id: c.id,
              type: 'function',
              function: { name: c.function.name, arguments: c.function.arguments },
            })),
          }
        : { role: 'assistant', content: m.content ?? '' };
  }
}

function toFunctionTool(t: ToolSpec): ChatCompletionFunctionTool {
  return { type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } };
}
