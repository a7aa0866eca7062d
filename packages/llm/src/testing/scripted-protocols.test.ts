import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, startScriptedModel, when } from './index.js';

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const editCall = { name: 'write_file', arguments: { path: 'a.txt', content: 'hello' } };
const rules = [
  { name: 'after-tool', when: when.lastToolResultIncludes('written'), reply: { content: 'Done.' } },
  { name: 'edit', when: when.always(), reply: { content: 'Editing now.', toolCalls: [editCall] } },
];
const tool = { name: 'write_file', description: 'write a file', schema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } } };

describe('scripted model: OpenAI Responses API', () => {
  const client = (s: ScriptedModelServer) => new OpenAI({ baseURL: s.url, apiKey: 'k', maxRetries: 0 });
  const tools = [{ type: 'function' as const, name: tool.name, description: tool.description, parameters: tool.schema, strict: false }];

  it('answers a tool call, then reads the function_call_output back as a tool result', async () => {
    server = await startScriptedModel({ rules });
    const first = await client(server).responses.create({ model: 'm', instructions: 'be brief', input: 'make a.txt', tools });
    expect(first.status).toBe('completed');
    expect(first.output_text).toBe('Editing now.');
    const call = first.output.find((i) => i.type === 'function_call');
    expect(call).toMatchObject({ name: 'write_file', arguments: JSON.stringify(editCall.arguments) });
    expect(first.usage?.input_tokens).toBeGreaterThan(0);

    const second = await client(server).responses.create({
      model: 'm', tools,
      input: [
        { role: 'user', content: 'make a.txt' },
        ...first.output.filter((i) => i.type === 'function_call'),
        { type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: 'written 5 bytes' },
      ],
    });
    expect(second.output_text).toBe('Done.');
    expect(server.requests.map((r) => [r.protocol, r.rule])).toEqual([['responses', 'edit'], ['responses', 'after-tool']]);
    expect(server.requests[0]!.conversation.messages[0]).toEqual({ role: 'system', content: 'be brief' });
    expect(server.requests[1]!.conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('streams events the SDK assembles into the same response', async () => {
    server = await startScriptedModel({ rules });
    const stream = client(server).responses.stream({ model: 'm', input: 'make a.txt', tools });
    const types = new Set<string>();
    let text = '';
    let args = '';
    for await (const e of stream) {
      types.add(e.type);
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.function_call_arguments.delta') args += e.delta;
    }
    const final = await stream.finalResponse();
    expect(text).toBe('Editing now.');
    expect(args).toBe(JSON.stringify(editCall.arguments));
    expect(final.output.find((i) => i.type === 'function_call')).toMatchObject({ name: 'write_file', arguments: args });
    expect([...types]).toEqual(expect.arrayContaining(['response.created', 'response.output_item.added', 'response.output_text.delta',
      'response.function_call_arguments.done', 'response.output_item.done', 'response.completed']));
  });
});

describe('scripted model: Anthropic Messages', () => {
  const client = (s: ScriptedModelServer) => new Anthropic({ baseURL: s.anthropicUrl, apiKey: 'secret-k', maxRetries: 0 });
  const tools = [{ name: tool.name, description: tool.description, input_schema: tool.schema as Anthropic.Tool.InputSchema }];

  it('answers tool_use, then reads the tool_result back as a tool message', async () => {
    server = await startScriptedModel({ rules });
    const first = await client(server).messages.create({ model: 'claude', max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: 'make a.txt' }], tools });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content[0]).toEqual({ type: 'text', text: 'Editing now.' });
    const use = first.content[1] as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ type: 'tool_use', name: 'write_file', input: editCall.arguments });
    // SDK versions differ: x-api-key (0.x) or a bearer token (1.x).
    expect(server.requests[0]!.apiKey ?? server.requests[0]!.authorization).toMatch(/secret-k/);

    const second = await client(server).messages.create({
      model: 'claude', max_tokens: 100, tools,
      messages: [
        { role: 'user', content: 'make a.txt' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'written 5 bytes' }] },
      ],
    });
    expect(second).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'Done.' }] });
    expect(server.requests[1]!.conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('streams events the SDK assembles into the same message', async () => {
    server = await startScriptedModel({ rules });
    const stream = client(server).messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'make a.txt' }], tools });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      { type: 'text', text: 'Editing now.' },
      expect.objectContaining({ type: 'tool_use', name: 'write_file', input: editCall.arguments }),
    ]);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('answers an HTTP error in Anthropic shape', async () => {
    server = await startScriptedModel({ rules: [{ when: when.always(), reply: { status: 400, error: 'bad thing' } }] });
    await expect(client(server).messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: 'bad thing' } } });
  });
});
