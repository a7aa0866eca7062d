import type { ChatMessage } from '../model.js';
import type { ParsedRequest } from '../protocols/parsed-request.js';

/** What a script rule sees of one request: the transcript plus the facts rules usually test. */
export interface Conversation {
  model: string;
  stream: boolean;
  messages: ChatMessage[];
  /** Names of the tools offered. */
  tools: string[];
  /** Content of the first user message ('' if none). */
  firstUser: string;
  /** Content of the last user message ('' if none). */
  lastUser: string;
  /** Content of the last tool message, if the transcript ends with tool results. */
  lastToolResult?: string;
  /** Assistant messages so far. */
  assistantTurns: number;
  /** Assistant messages after the last user message: 0 on the first reply of a round. */
  stepInRound: number;
  /** Whether any message's content contains `text`. */
  includes(text: string): boolean;
}

/** Reads a request body leniently: a test server should describe odd requests, not reject them. */
export function toConversation(body: Record<string, unknown>): Conversation {
  const messages = (Array.isArray(body.messages) ? body.messages : []).map(toMessage);
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .map((t: { function?: { name?: unknown } }) => t?.function?.name)
    .filter((n): n is string => typeof n === 'string');
  return fromMessages(typeof body.model === 'string' ? body.model : '', body.stream === true, messages, tools);
}

/** The conversation of a request of any protocol (chat completions, Responses, Anthropic Messages), read into chat messages. */
export function conversationOf(r: ParsedRequest): Conversation {
  return fromMessages(r.model, r.stream, r.messages, r.tools.map((t) => t.name));
}

function fromMessages(model: string, stream: boolean, messages: ChatMessage[], tools: string[]): Conversation {
  const users = messages.filter((m) => m.role === 'user');
  const lastUserAt = messages.map((m) => m.role).lastIndexOf('user');
  const last = messages.at(-1);
  const texts = messages.map((m) => m.content ?? '');
  return {
    model,
    stream,
    messages,
    tools,
    firstUser: users[0]?.content ?? '',
    lastUser: users.at(-1)?.content ?? '',
    ...(last?.role === 'tool' ? { lastToolResult: last.content } : {}),
    assistantTurns: messages.filter((m) => m.role === 'assistant').length,
    stepInRound: messages.slice(lastUserAt + 1).filter((m) => m.role === 'assistant').length,
    includes: (text) => texts.some((t) => t.includes(text)),
  };
}

function toMessage(raw: unknown): ChatMessage {
  const m = (raw ?? {}) as Record<string, unknown>;
  const content = textOf(m.content);
  switch (m.role) {
    case 'assistant': {
      const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
      return calls.length ? { role: 'assistant', content, tool_calls: calls } : { role: 'assistant', content };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: String(m.tool_call_id ?? ''), content: content ?? '' };
    case 'system':
    case 'developer':
      return { role: 'system', content: content ?? '' };
    default:
      return { role: 'user', content: content ?? '' };
  }
}

// Clients may send content as an array of parts; rules only care about the text.
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('');
  }
  return null;
}
