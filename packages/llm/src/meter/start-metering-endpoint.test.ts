import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenUsage } from '../model.js';
import { openaiCompatible } from '../openai-compatible.js';
import { type ScriptedModelServer, type ScriptRule, startScriptedModel, when } from '../testing/index.js';
import { type MeteringEndpoint, startMeteringEndpoint } from './index.js';

let upstream: ScriptedModelServer | undefined;
let endpoint: MeteringEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  await upstream?.close();
  endpoint = upstream = undefined;
});

const editCall = { name: 'write_file', arguments: { path: 'a.txt', content: 'hi' } };
const RULES: ScriptRule[] = [
  { name: 'done', when: when.lastToolResultIncludes('written'), reply: { content: 'All done.', usage: { prompt_tokens: 30, completion_tokens: 3 } } },
  { name: 'edit', when: when.always(), reply: { content: 'Editing.', toolCalls: [editCall], usage: { prompt_tokens: 20, completion_tokens: 7 } } },
];
const schema = { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } };

/** A scripted upstream behind openaiCompatible (the production path), an endpoint, and one lease whose usage is collected. */
async function setup(rules = RULES, admit?: () => string | undefined) {
  upstream = await startScriptedModel({ rules });
  endpoint = await startMeteringEndpoint();
  const usage: TokenUsage[] = [];
  const model = openaiCompatible({ baseURL: upstream.url, model: 'up-model', apiKey: 'sk-user-secret', maxRetries: 0, pricing: { inputPerMTok: 1, outputPerMTok: 2 } });
  const lease = endpoint.lease({ model, onUsage: (u) => usage.push(u), ...(admit ? { admit } : {}) });
  return { lease, usage, up: upstream };
}

describe('metering endpoint', () => {
  it('refuses a request without a live token (401) and never forwards it', async () => {
    const { lease, up } = await setup();
    const noToken = await fetch(`${lease.openaiBaseUrl}/chat/completions`, { method: 'POST', body: '{}' });
    expect(noToken.status).toBe(401);
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: 'wrong', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
    lease.release();
    const released = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    await expect(released.models.list()).rejects.toMatchObject({ status: 401 });
    expect(up.requests).toHaveLength(0);
  });

  it('chat completions: text and tool call round-trip, the upstream gets the user key, usage is counted and priced', async () => {
    const { lease, usage, up } = await setup();
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const tools = [{ type: 'function' as const, function: { name: 'write_file', description: 'write', parameters: schema } }];
    const first = await client.chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'make a.txt' }], tools });
    const call = first.choices[0]!.message.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };
    expect(call.function).toEqual({ name: 'write_file', arguments: JSON.stringify(editCall.arguments) });
    const second = await client.chat.completions.create({
      model: 'any', tools,
      messages: [{ role: 'user', content: 'make a.txt' }, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'written' }],
    });
    expect(second.choices[0]!.message.content).toBe('All done.');
    expect(up.requests.map((r) => r.authorization)).toEqual(['Bearer sk-user-secret', 'Bearer sk-user-secret']);
    expect(usage).toEqual([{ inputTokens: 20, outputTokens: 7, costUsd: 0.000034 }, { inputTokens: 30, outputTokens: 3, costUsd: 0.000036 }]);
  });

  it('chat completions: a streamed tool call arrives whole, with a usage chunk', async () => {
    const { lease, usage } = await setup();
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'any', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'go' }] });
    let args = '';
    let reported;
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      if (chunk.usage) reported = chunk.usage;
    }
    expect(JSON.parse(args)).toEqual(editCall.arguments);
    expect(reported).toMatchObject({ prompt_tokens: 20, completion_tokens: 7 });
    expect(usage).toHaveLength(1);
  });

  it('Responses API: a streamed function call, then its output read back as a tool result', async () => {
    const { lease, usage, up } = await setup();
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const tools = [{ type: 'function' as const, name: 'write_file', description: 'write', parameters: schema, strict: false }];
    const stream = client.responses.stream({ model: 'gpt-x', instructions: 'be brief', input: 'make a.txt', tools });
    let args = '';
    for await (const e of stream) if (e.type === 'response.function_call_arguments.delta') args += e.delta;
    const first = await stream.finalResponse();
    expect(JSON.parse(args)).toEqual(editCall.arguments);
    const call = first.output.find((i) => i.type === 'function_call')!;
    const second = await client.responses.create({
      model: 'gpt-x', tools,
      input: [{ role: 'user', content: 'make a.txt' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'written' }],
    });
    expect(second.output_text).toBe('All done.');
    expect(second.usage).toMatchObject({ input_tokens: 30, output_tokens: 3 });
    expect(up.requests[0]!.conversation.messages[0]).toEqual({ role: 'system', content: 'be brief' });
    expect(up.requests[0]!.protocol).toBe('chat');
    expect(usage.map((u) => u.inputTokens)).toEqual([20, 30]);
  });

  it('Anthropic Messages: tool_use streamed and not, tool_result read back, x-api-key or bearer accepted', async () => {
    const { lease, usage } = await setup();
    const client = new Anthropic({ baseURL: lease.anthropicBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const tools = [{ name: 'write_file', description: 'write', input_schema: schema as Anthropic.Tool.InputSchema }];
    const streamed = await client.messages.stream({ model: 'claude-x', max_tokens: 64_000, system: 'be brief', messages: [{ role: 'user', content: 'make a.txt' }], tools }).finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    const use = streamed.content.find((b) => b.type === 'tool_use')!;
    expect(use.input).toEqual(editCall.arguments);
    const viaKey = await fetch(`${lease.anthropicBaseUrl}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': lease.token, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'claude-x', max_tokens: 100, tools,
        messages: [
          { role: 'user', content: 'make a.txt' },
          { role: 'assistant', content: streamed.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: [{ type: 'text', text: 'written' }] }] },
        ],
      }),
    });
    expect(viaKey.status).toBe(200);
    expect(await viaKey.json()).toMatchObject({ type: 'message', stop_reason: 'end_turn', content: [{ type: 'text', text: 'All done.' }], usage: { input_tokens: 30, output_tokens: 3 } });
    expect(usage).toHaveLength(2);
  });

  it('maps upstream errors into the client protocol: 4xx kept, 5xx as 502', async () => {
    const { lease, usage } = await setup([
      { when: when.lastUserIncludes('long'), reply: { status: 400, error: 'prompt is too long: exceeds the available context size' } },
      { when: when.always(), reply: { status: 500, error: 'boom' } },
    ]);
    const client = new Anthropic({ baseURL: lease.anthropicBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const ask = (content: string) => client.messages.create({ model: 'c', max_tokens: 10, messages: [{ role: 'user', content }] });
    await expect(ask('too long')).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/prompt is too long/) } } });
    await expect(ask('other')).rejects.toMatchObject({ status: 502, error: { type: 'error', error: { type: 'api_error' } } });
    expect(usage).toHaveLength(0);
  });

  it('answers 400 without calling upstream once admit refuses (the budget is spent)', async () => {
    let spent = false;
    const { lease, up } = await setup(RULES, () => (spent ? 'token budget of 10 spent' : undefined));
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    await client.responses.create({ model: 'm', input: 'go' });
    spent = true;
    await expect(client.responses.create({ model: 'm', input: 'go' })).rejects.toMatchObject({ status: 400, code: 'budget_exceeded', message: expect.stringMatching(/budget/) });
    expect(up.requests).toHaveLength(1);
  });
});
