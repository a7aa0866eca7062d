import type { AssistantMessage, ToolCall } from './model.js';

/** A tool call as servers actually send it: any field may be missing. */
export interface RawToolCall {
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/**
 * The assistant message in the one shape the transcript stores. Servers that omit call ids get
 * one from `newId`, because every tool result must name the call it answers; non-function calls
 * (v6 "custom" tools) are dropped since caid never offers them.
 */
export function normaliseMessage(
  content: string | null | undefined,
  rawCalls: readonly RawToolCall[] | null | undefined,
  newId: () => string,
): AssistantMessage {
  const toolCalls: ToolCall[] = [];
  for (const raw of rawCalls ?? []) {
    if (raw.type != null && raw.type !== 'function') continue;
    if (!raw.function?.name) continue;
    toolCalls.push({
      id: raw.id || newId(),
      type: 'function',
      function: { name: raw.function.name, arguments: raw.function.arguments ?? '' },
    });
  }
  const message: AssistantMessage = { role: 'assistant', content: content ?? null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}
