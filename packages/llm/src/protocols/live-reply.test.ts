import { describe, expect, it } from 'vitest';
import { liveReply } from './live-encoders.js';
import { parseClientRequest } from './encode-reply.js';
import type { ReplyParts, SseEvent } from './reply-parts.js';

const meta = { id: 'msg_t1', model: 'm', created: 0 };
const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
const anthropic = () => liveReply(parseClientRequest('anthropic', { model: 'c', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'go' }] }), meta, 5);
const chat = () => liveReply(parseClientRequest('chat', { model: 'c', stream: true, messages: [{ role: 'user', content: 'go' }] }), meta, 5);
const types = (events: SseEvent[]) => events.map((e) => e.event ?? 'data');
const parts = (p: Partial<ReplyParts>): ReplyParts => ({ content: null, toolCalls: [], finishReason: 'stop', usage, ...p });

describe('LiveReply', () => {
  it('opens a tool call once its name is known, sending the arguments that came before it', () => {
    const live = anthropic();
    const early = live.delta({ tool: { index: 0, id: 'toolu_1', arguments: '{"a"' } });
    expect(types(early)).toEqual(['message_start', 'ping']);
    const named = live.delta({ tool: { index: 0, name: 'run', arguments: ':1}' } });
    expect(named.map((e) => e.data)).toEqual([
      expect.objectContaining({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'run', input: {} } }),
      expect.objectContaining({ type: 'content_block_delta', delta: { type: 'input_json_delta', partial_json: '{"a":1}' } }),
    ]);
    const end = live.finish(parts({ toolCalls: [{ id: 'other', name: 'run', arguments: '{"a":1}' }], finishReason: 'tool_calls' }));
    expect(types(end)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(end[1]!.data).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { input_tokens: 5, output_tokens: 3 } });
  });

  it('text then two calls become three blocks in order, each closed before the next opens', () => {
    const live = anthropic();
    const all = [
      ...live.delta({ text: 'Hi' }),
      ...live.delta({ tool: { index: 0, id: 'a', name: 'x', arguments: '{}' } }),
      ...live.delta({ tool: { index: 1, id: 'b', name: 'y' } }),
      ...live.finish(parts({ content: 'Hi', toolCalls: [{ id: 'a', name: 'x', arguments: '{}' }, { id: 'b', name: 'y', arguments: '' }] })),
    ];
    const blocks = all.filter((e) => /content_block_(start|stop)/.test(e.event ?? '')).map((e) => `${e.event}:${(e.data as { index: number }).index}`);
    expect(blocks).toEqual(['content_block_start:0', 'content_block_stop:0', 'content_block_start:1', 'content_block_stop:1', 'content_block_start:2', 'content_block_stop:2']);
  });

  it('a reply that streamed nothing (text-protocol tools, a replay) is sent whole at the end, in pieces', () => {
    const live = chat();
    expect(live.streaming).toBe(false);
    const events = live.finish(parts({ content: 'a whole reply of some length', toolCalls: [{ id: 'c1', name: 'run', arguments: '{"command":"ls"}' }], finishReason: 'tool_calls' }));
    const chunks = events.map((e) => e.data).filter((d): d is { choices: { delta: Record<string, unknown> }[] } => typeof d === 'object');
    const text = chunks.map((c) => (c.choices[0]?.delta.content as string | undefined) ?? '').join('');
    expect(text).toBe('a whole reply of some length');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(1);
    expect(events.at(-1)!.data).toBe('[DONE]');
  });

  it('a cut reply ends with what was sent and stop reason length; tool ids are the ones streamed', () => {
    const live = chat();
    live.delta({ text: 'partial' });
    live.delta({ tool: { index: 0, name: 'run', arguments: '{"comm' } });
    const sent = live.sent(usage);
    expect(sent).toMatchObject({ content: 'partial', finishReason: 'length', toolCalls: [{ id: 'call_msg_t1_0', name: 'run', arguments: '{"comm' }] });
    const end = live.finish(sent);
    expect(end[0]!.data).toMatchObject({ choices: [{ finish_reason: 'length' }] });
  });
});
