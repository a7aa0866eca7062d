import type { ChatMessage, ToolCall, ToolSpec } from '../model.js';
import { asArray, asObject, asString, type Json, type ParsedRequest, positiveInt, textOf, toolSpec } from './parsed-request.js';

/**
 * Reads an Anthropic Messages request into chat messages: `system` first, a user turn's
 * `tool_result` blocks as tool messages (before its text, since they answer the previous turn),
 * an assistant turn's `tool_use` blocks as tool calls. Thinking blocks are dropped.
 */
export function parseAnthropicRequest(body: Json): ParsedRequest {
  const messages: ChatMessage[] = [];
  const system = textOf(body.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const raw of asArray(body.messages)) {
    const m = asObject(raw);
    if (m.role === 'assistant') messages.push(assistantTurn(m.content));
    else messages.push(...userTurn(m.content));
  }
  const tools = asArray(body.tools)
    .map((raw) => {
      const t = asObject(raw);
      // Server tools (web search, ...) carry a `type` and run at Anthropic; no upstream here can run them.
      return t.type === undefined || t.type === 'custom' ? toolSpec(t.name, t.description, t.input_schema) : undefined;
    })
    .filter((t): t is ToolSpec => t !== undefined);
  const maxTokens = positiveInt(body.max_tokens);
  return { model: asString(body.model), stream: body.stream === true, messages, tools, ...(maxTokens ? { maxTokens } : {}) };
}

function assistantTurn(content: unknown): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const calls: ToolCall[] = [];
  for (const raw of asArray(content)) {
    const b = asObject(raw);
    if (b.type === 'text') text += asString(b.text);
    else if (b.type === 'tool_use') calls.push({ id: asString(b.id), type: 'function', function: { name: asString(b.name), arguments: JSON.stringify(b.input ?? {}) } });
  }
  const message: ChatMessage = { role: 'assistant', content: text || null };
  return calls.length ? { ...message, tool_calls: calls } : message;
}

function userTurn(content: unknown): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatMessage[] = [];
  const text: string[] = [];
  for (const raw of asArray(content)) {
    const b = asObject(raw);
    if (b.type === 'tool_result') {
      const result = textOf(b.content);
      out.push({ role: 'tool', tool_call_id: asString(b.tool_use_id), content: b.is_error === true ? `Error: ${result}` : result });
    } else {
      text.push(textOf([b]));
    }
  }
  const joined = text.filter(Boolean).join('\n');
  if (joined || out.length === 0) out.push({ role: 'user', content: joined });
  return out;
}
