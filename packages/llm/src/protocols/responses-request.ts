import type { ChatMessage, ToolSpec } from '../model.js';
import { argumentsText, asArray, asObject, asString, type Json, type ParsedRequest, positiveInt, pushToolCall, textOf, toolSpec } from './parsed-request.js';

/** A Responses request read as chat completions; `customTools` are freeform tools (codex's apply_patch) whose calls carry `input`. */
export interface ParsedResponsesRequest extends ParsedRequest {
  customTools: string[];
}

/**
 * Reads an OpenAI Responses API request (`instructions`, `input` items, function and custom tools)
 * into chat messages. Reasoning items are dropped: chat-completions upstreams cannot take them back.
 */
export function parseResponsesRequest(body: Json): ParsedResponsesRequest {
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions) messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  for (const raw of asArray(body.input)) addItem(messages, asObject(raw));

  const tools: ToolSpec[] = [];
  const customTools: string[] = [];
  for (const raw of asArray(body.tools)) {
    const t = asObject(raw);
    if (t.type === 'function') {
      const spec = toolSpec(t.name, t.description, t.parameters);
      if (spec) tools.push(spec);
    } else if (t.type === 'custom' && typeof t.name === 'string') {
      // A freeform tool takes raw text; a chat-completions model gets it as one string argument.
      const format = asObject(t.format);
      const grammar = typeof format.definition === 'string' ? `\n\nThe input follows this ${asString(format.syntax) || 'grammar'}:\n${format.definition}` : '';
      tools.push({
        name: t.name,
        description: `${asString(t.description)}${grammar}`,
        parameters: { type: 'object', properties: { input: { type: 'string', description: 'the raw input of the tool' } }, required: ['input'] },
      });
      customTools.push(t.name);
    }
  }
  const maxTokens = positiveInt(body.max_output_tokens);
  return { model: asString(body.model), stream: body.stream === true, messages, tools, customTools, ...(maxTokens ? { maxTokens } : {}) };
}

function addItem(messages: ChatMessage[], item: Json): void {
  const type = item.type ?? (item.role ? 'message' : undefined);
  switch (type) {
    case 'message': {
      const text = textOf(item.content);
      if (item.role === 'assistant') messages.push({ role: 'assistant', content: text });
      else if (item.role === 'system' || item.role === 'developer') messages.push({ role: 'system', content: text });
      else messages.push({ role: 'user', content: text });
      return;
    }
    case 'function_call':
      return pushToolCall(messages, { id: callId(item), type: 'function', function: { name: asString(item.name), arguments: argumentsText(item.arguments) } });
    case 'custom_tool_call':
      return pushToolCall(messages, { id: callId(item), type: 'function', function: { name: asString(item.name), arguments: JSON.stringify({ input: asString(item.input) }) } });
    case 'function_call_output':
    case 'custom_tool_call_output':
      messages.push({ role: 'tool', tool_call_id: callId(item), content: typeof item.output === 'string' ? item.output : textOf(item.output) });
      return;
    default:
      // reasoning, web search and other hosted-tool items have no chat-completions form
      return;
  }
}

const callId = (item: Json): string => asString(item.call_id) || asString(item.id);
