import type { Conversation } from './conversation.js';
import type { ScriptedReply } from './script-rule.js';

/** A scripted reply with every default filled in, ready to encode as JSON or as SSE chunks. */
export interface WireReply {
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export function toWireReply(reply: ScriptedReply, c: Conversation, idPrefix: string): WireReply {
  const toolCalls = (reply.toolCalls ?? []).map((t, i) => ({
    id: `${idPrefix}_${i}`,
    name: t.name,
    // Strings pass through untouched so scripts can send malformed JSON on purpose.
    arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments ?? {}),
  }));
  const content = reply.content !== undefined ? reply.content : toolCalls.length ? null : '';
  const finishReason = reply.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
  const promptChars = c.messages.reduce((n, m) => n + (m.content?.length ?? 0), 0);
  const completionChars = (content?.length ?? 0) + toolCalls.reduce((n, t) => n + t.name.length + t.arguments.length, 0);
  const { prompt_tokens, completion_tokens } = reply.usage ?? {
    prompt_tokens: Math.ceil(promptChars / 4),
    completion_tokens: Math.ceil(completionChars / 4),
  };
  return { content, toolCalls, finishReason, usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens } };
}
