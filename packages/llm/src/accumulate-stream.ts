import type { ChatCompletionChunk } from 'openai/resources/chat/completions/completions';
import type { RawToolCall } from './normalise-message.js';

export interface StreamedCompletion {
  content: string | null;
  toolCalls: RawToolCall[];
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
}

/**
 * Folds a chat-completion chunk stream into one reply. Tool-call deltas are joined by `index`;
 * servers that omit `index` (older Ollama) get a new call whenever a delta carries an `id`, and
 * otherwise continue the last call.
 */
export async function accumulateStream(chunks: AsyncIterable<ChatCompletionChunk>): Promise<StreamedCompletion> {
  let content: string | null = null;
  const calls: RawToolCall[] = [];
  const byIndex = new Map<number, RawToolCall>();
  let last: RawToolCall | undefined;
  let finishReason: string | null = null;
  let usage: StreamedCompletion['usage'] = null;

  for await (const chunk of chunks) {
    // Some servers put usage on the finish chunk rather than a trailing `choices: []` chunk.
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string' && delta.content !== '') content = (content ?? '') + delta.content;
    for (const d of delta.tool_calls ?? []) {
      const index = typeof d.index === 'number' ? d.index : undefined;
      let call = index !== undefined ? byIndex.get(index) : d.id ? undefined : last;
      if (!call) {
        call = { function: { name: '', arguments: '' } };
        calls.push(call);
        if (index !== undefined) byIndex.set(index, call);
      }
      if (d.id) call.id = d.id;
      if (d.type) call.type = d.type;
      const fn = call.function ?? (call.function = { name: '', arguments: '' });
      // Names arrive whole in one delta; keep the first rather than concatenating repeats.
      if (d.function?.name && !fn.name) fn.name = d.function.name;
      if (d.function?.arguments) fn.arguments = (fn.arguments ?? '') + d.function.arguments;
      last = call;
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  return { content, toolCalls: calls, finishReason, usage };
}
