import { pieces, type ReplyMeta, type ReplyParts, type SseEvent } from './reply-parts.js';

const STOP_REASONS: Record<string, string> = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens', content_filter: 'refusal' };
export const anthropicStopReason = (finishReason: string): string => STOP_REASONS[finishReason] ?? 'end_turn';

// Anthropic tool input is always an object; arguments that do not parse to one become {} and the CLI reports the bad call.
function toolInput(args: string): Record<string, unknown> {
  try {
    const v = JSON.parse(args) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    // expected: the model's broken arguments are sent on as an empty object; the tool answers the model
    return {};
  }
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

function blocks(w: ReplyParts): Block[] {
  const out: Block[] = [];
  if (w.content) out.push({ type: 'text', text: w.content });
  for (const t of w.toolCalls) out.push({ type: 'tool_use', id: t.id, name: t.name, input: toolInput(t.arguments) });
  return out;
}

export const anthropicUsage = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

/** A non-streaming Anthropic `message` object. */
export function anthropicBody(w: ReplyParts, meta: ReplyMeta): object {
  return {
    id: meta.id, type: 'message', role: 'assistant', model: meta.model, content: blocks(w),
    stop_reason: anthropicStopReason(w.finishReason), stop_sequence: null,
    usage: anthropicUsage(w.usage.prompt_tokens, w.usage.completion_tokens),
  };
}

/** The SSE events of a streamed Anthropic reply, `message_start` to `message_stop`. */
export function anthropicEvents(w: ReplyParts, meta: ReplyMeta): SseEvent[] {
  const events: SseEvent[] = [];
  const emit = (type: string, fields: object = {}) => events.push({ event: type, data: { type, ...fields } });
  emit('message_start', {
    message: { id: meta.id, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(w.usage.prompt_tokens, 1) },
  });
  emit('ping');
  blocks(w).forEach((b, index) => {
    if (b.type === 'text') {
      emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const text of pieces(b.text)) emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
    } else {
      emit('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
      for (const partial_json of pieces(JSON.stringify(b.input))) emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
    }
    emit('content_block_stop', { index });
  });
  emit('message_delta', { delta: { stop_reason: anthropicStopReason(w.finishReason), stop_sequence: null }, usage: { output_tokens: w.usage.completion_tokens } });
  emit('message_stop');
  return events;
}
