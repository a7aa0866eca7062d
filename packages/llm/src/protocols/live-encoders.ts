import { anthropicStopReason, anthropicUsage } from './anthropic-payloads.js';
import type { ClientRequest } from './encode-reply.js';
import { type BlockEncoder, LiveReply } from './live-reply.js';
import type { ReplyMeta, ReplyParts, SseEvent } from './reply-parts.js';
import { customInput, finalStatus, responseObject } from './responses-payloads.js';

/** A reply streamed to `req`'s client in its own protocol as the upstream generates it. */
export function liveReply(req: ClientRequest, meta: ReplyMeta, promptTokens: number): LiveReply {
  const enc = req.protocol === 'responses' ? responsesEncoder(meta, req.customTools ?? [])
    : req.protocol === 'anthropic' ? anthropicEncoder(meta, promptTokens)
    : chatEncoder(meta, req.includeUsage === true);
  const prefix = req.protocol === 'anthropic' ? 'toolu' : 'call';
  return new LiveReply(enc, (n) => `${prefix}_${meta.id}_${n}`);
}

function chatEncoder(meta: ReplyMeta, includeUsage: boolean): BlockEncoder {
  const chunk = (delta: object, finish_reason: string | null = null): SseEvent => ({
    data: { ...meta, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason, logprobs: null }] },
  });
  return {
    start: () => [chunk({ role: 'assistant', content: '' })],
    open: (b) => (b.kind === 'tool' ? [chunk({ tool_calls: [{ index: b.n, id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] })] : []),
    piece: (b, piece) => [chunk(b.kind === 'text' ? { content: piece } : { tool_calls: [{ index: b.n, function: { arguments: piece } }] })],
    close: () => [],
    end: (parts) => [
      chunk({}, parts.finishReason),
      ...(includeUsage ? [{ data: { ...meta, object: 'chat.completion.chunk', choices: [], usage: parts.usage } }] : []),
      { data: '[DONE]' },
    ],
  };
}

function anthropicEncoder(meta: ReplyMeta, promptTokens: number): BlockEncoder {
  const ev = (type: string, fields: object = {}): SseEvent => ({ event: type, data: { type, ...fields } });
  return {
    // The prompt's size is estimated here; message_delta carries the upstream's count at the end.
    start: () => [
      ev('message_start', { message: { id: meta.id, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(promptTokens, 1) } }),
      ev('ping'),
    ],
    open: (b) => [ev('content_block_start', { index: b.at, content_block: b.kind === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: b.id, name: b.name, input: {} } })],
    piece: (b, piece) => [ev('content_block_delta', { index: b.at, delta: b.kind === 'text' ? { type: 'text_delta', text: piece } : { type: 'input_json_delta', partial_json: piece } })],
    close: (b) => [ev('content_block_stop', { index: b.at })],
    end: (parts) => [
      ev('message_delta', {
        delta: { stop_reason: anthropicStopReason(parts.finishReason), stop_sequence: null },
        usage: { input_tokens: parts.usage.prompt_tokens, output_tokens: parts.usage.completion_tokens },
      }),
      ev('message_stop'),
    ],
  };
}

function responsesEncoder(meta: ReplyMeta, customTools: readonly string[]): BlockEncoder {
  let seq = 0;
  const ev = (type: string, fields: object): SseEvent => ({ event: type, data: { type, sequence_number: seq++, ...fields } });
  const output: Record<string, unknown>[] = [];
  const none: ReplyParts = { content: null, toolCalls: [], finishReason: 'stop', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } };
  const idOf = (at: number) => `item_${meta.id}_${at}`;
  // Freeform (custom) tools take their input from the whole arguments object: they go out when closed.
  const custom = (name: string) => customTools.includes(name);
  return {
    start: () => [ev('response.created', { response: responseObject(none, meta, [], 'in_progress') }), ev('response.in_progress', { response: responseObject(none, meta, [], 'in_progress') })],
    open: (b) => {
      const item_id = idOf(b.at);
      if (b.kind === 'text') {
        return [
          ev('response.output_item.added', { output_index: b.at, item: { type: 'message', id: item_id, status: 'in_progress', role: 'assistant', content: [] } }),
          ev('response.content_part.added', { item_id, output_index: b.at, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
        ];
      }
      if (custom(b.name)) return [];
      return [ev('response.output_item.added', { output_index: b.at, item: { type: 'function_call', id: item_id, call_id: b.id, name: b.name, arguments: '', status: 'in_progress' } })];
    },
    piece: (b, delta) => {
      const at = { item_id: idOf(b.at), output_index: b.at };
      if (b.kind === 'text') return [ev('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] })];
      return custom(b.name) ? [] : [ev('response.function_call_arguments.delta', { ...at, delta })];
    },
    close: (b) => {
      const at = { item_id: idOf(b.at), output_index: b.at };
      if (b.kind === 'text') {
        const part = { type: 'output_text', text: b.text, annotations: [] };
        const item = { type: 'message', id: at.item_id, status: 'completed', role: 'assistant', content: [part] };
        output.push(item);
        return [
          ev('response.output_text.done', { ...at, content_index: 0, text: b.text, logprobs: [] }),
          ev('response.content_part.done', { ...at, content_index: 0, part }),
          ev('response.output_item.done', { output_index: b.at, item }),
        ];
      }
      if (!custom(b.name)) {
        const item = { type: 'function_call', id: at.item_id, call_id: b.id, name: b.name, arguments: b.arguments, status: 'completed' };
        output.push(item);
        return [ev('response.function_call_arguments.done', { ...at, name: b.name, arguments: b.arguments }), ev('response.output_item.done', { output_index: b.at, item })];
      }
      const input = customInput(b.arguments);
      const item = { type: 'custom_tool_call', id: at.item_id, call_id: b.id, name: b.name, input, status: 'completed' };
      output.push(item);
      return [
        ev('response.output_item.added', { output_index: b.at, item: { ...item, input: '', status: 'in_progress' } }),
        ev('response.custom_tool_call_input.delta', { ...at, delta: input }),
        ev('response.custom_tool_call_input.done', { ...at, input }),
        ev('response.output_item.done', { output_index: b.at, item }),
      ];
    },
    end: (parts) => {
      const status = finalStatus(parts);
      return [ev(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: responseObject(parts, meta, output, status) })];
    },
  };
}
