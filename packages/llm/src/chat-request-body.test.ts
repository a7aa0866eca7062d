import { describe, expect, it } from 'vitest';
import { chatRequestBody } from './chat-request-body.js';
import type { ChatMessage } from './model.js';

const tool = { name: 'finish', description: 'Finish', parameters: { type: 'object', properties: {} } };

describe('chatRequestBody', () => {
  it('sends tools and tool_choice only when tools are offered, max_tokens only when given', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    expect(chatRequestBody('m', { messages, tools: [] })).toEqual({ model: 'm', messages });
    const body = chatRequestBody('m', { messages, tools: [tool], maxTokens: 512 });
    expect(body).toEqual({
      model: 'm',
      messages,
      tools: [{ type: 'function', function: { name: 'finish', description: 'Finish', parameters: tool.parameters } }],
      tool_choice: 'auto',
      max_tokens: 512,
    });
    expect(JSON.stringify(body)).not.toMatch(/strict|parallel_tool_calls|response_format/);
  });

  it('copies only wire fields of transcript messages', () => {
    const extra = { role: 'user', content: 'hi', at: 123 } as ChatMessage;
    const empty: ChatMessage = { role: 'assistant', content: null };
    expect(chatRequestBody('m', { messages: [extra, empty], tools: [] }).messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '' },
    ]);
  });
});
