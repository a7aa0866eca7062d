import { describe, expect, it } from 'vitest';
import { toConversation } from './conversation.js';

describe('toConversation', () => {
  it('derives the facts rules test from a transcript', () => {
    const call = { id: 'c1', type: 'function', function: { name: 'run', arguments: '{}' } };
    const c = toConversation({
      model: 'm',
      stream: true,
      tools: [{ type: 'function', function: { name: 'run' } }, { type: 'function', function: { name: 'finish' } }],
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'task one' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'c1', content: 'out 1' },
        { role: 'user', content: [{ type: 'text', text: 'round ' }, { type: 'text', text: 'two' }] },
        { role: 'assistant', content: null, tool_calls: [call, { ...call, id: 'c2' }] },
        { role: 'tool', tool_call_id: 'c1', content: 'out 2' },
        { role: 'tool', tool_call_id: 'c2', content: 'out 3' },
      ],
    });
    expect(c).toMatchObject({
      model: 'm',
      stream: true,
      tools: ['run', 'finish'],
      firstUser: 'task one',
      lastUser: 'round two',
      lastToolResult: 'out 3',
      assistantTurns: 2,
      stepInRound: 1,
    });
    expect(c.includes('out 1')).toBe(true);
    expect(c.includes('missing')).toBe(false);
  });

  it('has no lastToolResult unless the transcript ends with a tool result', () => {
    const c = toConversation({ messages: [{ role: 'user', content: 'hi' }] });
    expect(c.lastToolResult).toBeUndefined();
    expect(c).toMatchObject({ stream: false, tools: [], stepInRound: 0, assistantTurns: 0, firstUser: 'hi' });
  });
});
