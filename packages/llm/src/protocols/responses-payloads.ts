import { pieces, type ReplyMeta, type ReplyParts, type SseEvent } from './reply-parts.js';

type Item = Record<string, unknown>;

function items(w: ReplyParts, meta: ReplyMeta, customTools: readonly string[]): Item[] {
  const out: Item[] = [];
  if (w.content) {
    out.push({ type: 'message', id: `msg_${meta.id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: w.content, annotations: [] }] });
  }
  w.toolCalls.forEach((t, i) => {
    const id = `fc_${meta.id}_${i}`;
    if (customTools.includes(t.name)) out.push({ type: 'custom_tool_call', id, call_id: t.id, name: t.name, input: customInput(t.arguments), status: 'completed' });
    else out.push({ type: 'function_call', id, call_id: t.id, name: t.name, arguments: t.arguments, status: 'completed' });
  });
  return out;
}

// The model called a freeform tool with `{input: "..."}`; a bare string (or malformed JSON) passes as it is.
export function customInput(args: string): string {
  try {
    const v = JSON.parse(args) as unknown;
    if (typeof v === 'object' && v !== null && typeof (v as { input?: unknown }).input === 'string') return (v as { input: string }).input;
    return typeof v === 'string' ? v : args;
  } catch {
    // expected: not JSON, so the model's raw text is the input
    return args;
  }
}

export function responseObject(w: ReplyParts, meta: ReplyMeta, output: Item[], status: string): Item {
  const incomplete = status === 'incomplete';
  return {
    id: meta.id, object: 'response', created_at: meta.created, status, model: meta.model, output,
    error: null, incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    parallel_tool_calls: true, tool_choice: 'auto', tools: [],
    usage: status === 'in_progress' ? null : {
      input_tokens: w.usage.prompt_tokens, input_tokens_details: { cached_tokens: 0 },
      output_tokens: w.usage.completion_tokens, output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: w.usage.total_tokens,
    },
  };
}

export const finalStatus = (w: ReplyParts) => (w.finishReason === 'length' ? 'incomplete' : 'completed');

/** A non-streaming Responses API `response` object. */
export function responsesBody(w: ReplyParts, meta: ReplyMeta, customTools: readonly string[] = []): object {
  return responseObject(w, meta, items(w, meta, customTools), finalStatus(w));
}

/** The SSE events of a streamed Responses API reply, from `response.created` to `response.completed`. */
export function responsesEvents(w: ReplyParts, meta: ReplyMeta, customTools: readonly string[] = []): SseEvent[] {
  const events: SseEvent[] = [];
  let seq = 0;
  const emit = (type: string, fields: Item) => events.push({ event: type, data: { type, sequence_number: seq++, ...fields } });
  emit('response.created', { response: responseObject(w, meta, [], 'in_progress') });
  emit('response.in_progress', { response: responseObject(w, meta, [], 'in_progress') });
  const done = items(w, meta, customTools);
  done.forEach((item, output_index) => {
    const item_id = item.id as string;
    if (item.type === 'message') {
      const text = w.content ?? '';
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      const part = { type: 'output_text', text: '', annotations: [] };
      emit('response.content_part.added', { item_id, output_index, content_index: 0, part });
      for (const delta of pieces(text)) emit('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] });
      emit('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] });
      emit('response.content_part.done', { item_id, output_index, content_index: 0, part: { ...part, text } });
    } else if (item.type === 'function_call') {
      const args = item.arguments as string;
      emit('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const delta of pieces(args)) emit('response.function_call_arguments.delta', { item_id, output_index, delta });
      emit('response.function_call_arguments.done', { item_id, output_index, name: item.name, arguments: args });
    } else {
      const input = item.input as string;
      emit('response.output_item.added', { output_index, item: { ...item, input: '', status: 'in_progress' } });
      for (const delta of pieces(input)) emit('response.custom_tool_call_input.delta', { item_id, output_index, delta });
      emit('response.custom_tool_call_input.done', { item_id, output_index, input });
    }
    emit('response.output_item.done', { output_index, item });
  });
  const status = finalStatus(w);
  emit(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: responseObject(w, meta, done, status) });
  return events;
}
