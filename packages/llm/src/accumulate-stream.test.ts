import type { ChatCompletionChunk } from 'openai/resources/chat/completions/completions';
import { describe, expect, it } from 'vitest';
import { accumulateStream } from './accumulate-stream.js';
import { normaliseMessage } from './normalise-message.js';

type Delta = ChatCompletionChunk.Choice.Delta;

async function* chunks(deltas: (Delta & { finish?: string })[], usage?: ChatCompletionChunk['usage']) {
  for (const { finish, ...delta } of deltas) {
    yield {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'm',
      choices: [{ index: 0, delta, finish_reason: (finish ?? null) as 'stop' | null, logprobs: null }],
    } satisfies ChatCompletionChunk;
  }
  if (usage) yield { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage } satisfies ChatCompletionChunk;
}

// Servers that omit `index` are exactly what the SDK types rule out, hence the cast.
const noIndex = (call: object) => call as NonNullable<Delta['tool_calls']>[number];

describe('accumulateStream', () => {
  it('joins content and tool-call arguments by index', async () => {
    const s = await accumulateStream(
      chunks(
        [
          { role: 'assistant', content: 'Let me ' },
          { content: 'look.' },
          { tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'read_file', arguments: '{"pa' } }] },
          { tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'list_files', arguments: '' } }] },
          { tool_calls: [{ index: 0, function: { arguments: 'th":"x"}' } }] },
          { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
          { finish: 'tool_calls' },
        ],
        { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      ),
    );
    expect(s.content).toBe('Let me look.');
    expect(s.toolCalls).toEqual([
      { id: 'a', type: 'function', function: { name: 'read_file', arguments: '{"path":"x"}' } },
      { id: 'b', type: 'function', function: { name: 'list_files', arguments: '{}' } },
    ]);
    expect(s.finishReason).toBe('tool_calls');
    expect(s.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
  });

  it('starts a new call on each id when the server omits index, else continues the last', async () => {
    const s = await accumulateStream(
      chunks([
        { tool_calls: [noIndex({ id: 'a', function: { name: 'run', arguments: '{"command":' } })] },
        { tool_calls: [noIndex({ function: { arguments: '"ls"}' } })] },
        { tool_calls: [noIndex({ id: 'b', function: { name: 'finish', arguments: '{"summary":"ok"}' } })], finish: 'tool_calls' },
      ]),
    );
    expect(s.content).toBeNull();
    expect(s.toolCalls.map((c) => [c.id, c.function?.name, c.function?.arguments])).toEqual([
      ['a', 'run', '{"command":"ls"}'],
      ['b', 'finish', '{"summary":"ok"}'],
    ]);
    expect(s.usage).toBeNull();
  });
});

describe('normaliseMessage', () => {
  it('gives id-less calls a generated id and drops non-function calls', () => {
    let n = 0;
    const m = normaliseMessage(
      '',
      [
        { function: { name: 'run', arguments: '{}' } },
        { id: 'x', type: 'custom', function: { name: 'grammar' } },
        { id: 'keep', type: 'function', function: { name: 'finish', arguments: null } },
      ],
      () => `call_${++n}`,
    );
    expect(m).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'run', arguments: '{}' } },
        { id: 'keep', type: 'function', function: { name: 'finish', arguments: '' } },
      ],
    });
    expect(normaliseMessage(undefined, undefined, () => 'unused')).toEqual({ role: 'assistant', content: null });
  });
});
