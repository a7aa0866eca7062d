/**
 * One assistant reply with every field filled in, independent of the wire protocol: the scripted
 * test server and the metering endpoint both encode it as chat completions, Responses or Anthropic
 * Messages (JSON or SSE).
 */
export interface ReplyParts {
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  /** Chat-completions terms: 'stop' | 'tool_calls' | 'length' | ... */
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ReplyMeta {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
}

/** One server-sent event: `event:` line (Responses, Anthropic) or none (chat completions). */
export interface SseEvent {
  event?: string;
  data: unknown;
}

export const sseFrame = (e: SseEvent): string =>
  `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`;

/** At least two pieces for any text of two or more characters, none longer than 16: clients that fail to accumulate are caught. */
export function pieces(text: string): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.min(16, Math.ceil(text.length / 2)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
