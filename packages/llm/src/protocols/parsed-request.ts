import type { ChatMessage, ToolCall, ToolSpec } from '../model.js';

/** A client's request in any of the three protocols, read into caid's chat-completions terms. */
export interface ParsedRequest {
  model: string;
  stream: boolean;
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxTokens?: number;
  /** Chat completions only: the client asked for a final usage chunk. */
  includeUsage?: boolean;
}

export type Json = Record<string, unknown>;

export const asObject = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Text of a content field that may be a string or an array of parts (`text`, `input_text`, `output_text`, ...). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((p) => {
      const part = asObject(p);
      if (typeof part.text === 'string') return part.text;
      // Images and files cannot pass through a text-only transcript; say so rather than drop them silently.
      return part.type && part.type !== 'text' ? `[${String(part.type)} omitted]` : '';
    })
    .join('');
}

/** A tool-call arguments value as the JSON text chat completions carries. */
export const argumentsText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? {}));

export const positiveInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

export function toolSpec(name: unknown, description: unknown, parameters: unknown): ToolSpec | undefined {
  if (typeof name !== 'string' || !name) return undefined;
  const schema = asObject(parameters);
  return { name, description: asString(description), parameters: Object.keys(schema).length ? schema : { type: 'object', properties: {} } };
}

/** Appends tool calls to the assistant message at the end, or opens one: consecutive calls are one turn. */
export function pushToolCall(messages: ChatMessage[], call: ToolCall): void {
  const last = messages.at(-1);
  if (last?.role === 'assistant') last.tool_calls = [...(last.tool_calls ?? []), call];
  else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
}
