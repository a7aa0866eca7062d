import type { Model } from '@caid/llm';

const FENCED = /```(?:json)?\s*\n?([\s\S]*?)```/;

/**
 * Models without reliable tool calling often answer a planning request with the JSON itself,
 * as plain text. This wrapper turns such a reply (a fenced block or text starting with `{`) into
 * a call of the submit tool, so its JSON is checked, and a broken one is sent back, exactly
 * like a tool call's arguments. Replies without JSON pass through unchanged.
 */
export function textSubmissions(model: Model, toolName: string): Model {
  let n = 0;
  return {
    name: model.name,
    async complete(request) {
      const reply = await model.complete(request);
      const m = reply.message;
      if (m.tool_calls?.length || !m.content) return reply;
      const text = m.content.trim();
      const json = FENCED.exec(text)?.[1]?.trim() ?? (text.startsWith('{') ? text : null);
      if (!json) return reply;
      return {
        ...reply,
        finishReason: 'tool_calls',
        message: { role: 'assistant', content: null, tool_calls: [{ id: `text_submission_${++n}`, type: 'function', function: { name: toolName, arguments: json } }] },
      };
    },
  };
}
