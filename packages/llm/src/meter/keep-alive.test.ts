import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiCompatible } from '../openai-compatible.js';
import { type ScriptedModelServer, type ScriptedReply, startScriptedModel, when } from '../testing/index.js';
import { type MeteringEndpoint, startMeteringEndpoint } from './index.js';

let upstream: ScriptedModelServer | undefined;
let endpoint: MeteringEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  await upstream?.close();
  endpoint = upstream = undefined;
});

/** An upstream slower than the endpoint's keep-alive interval, so every stream opens before the reply exists. */
async function slow(reply: ScriptedReply) {
  upstream = await startScriptedModel({ rules: [{ when: when.always(), reply: { delayMs: 300, ...reply } }] });
  endpoint = await startMeteringEndpoint({ keepAliveMs: 20 });
  return endpoint.lease({ model: openaiCompatible({ baseURL: upstream.url, model: 'up', maxRetries: 0 }) });
}

describe('metering endpoint: streams kept alive while the upstream is slow', () => {
  it('opens the stream with SSE comments, and every client still assembles the reply', async () => {
    const lease = await slow({ content: 'slow but sure', toolCalls: [{ name: 'run', arguments: { command: 'ls' } }] });
    const raw = await fetch(`${lease.openaiBaseUrl}/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${lease.token}` },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    });
    const text = await raw.text();
    expect(text.startsWith(': keep-alive\n\n')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);

    const responses = await new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 }).responses.stream({ model: 'm', input: 'go' }).finalResponse();
    expect(responses.output_text).toBe('slow but sure');
    const message = await new Anthropic({ baseURL: lease.anthropicBaseUrl, apiKey: lease.token, maxRetries: 0 })
      .messages.stream({ model: 'c', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] }).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'slow but sure' }, expect.objectContaining({ type: 'tool_use', name: 'run', input: { command: 'ls' } })]);
  });

  it("reports an upstream failure after the stream opened as the protocol's in-stream error", async () => {
    const lease = await slow({ status: 500, error: 'upstream fell over' });
    const chat = await new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 }).chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] });
    await expect((async () => { for await (const _ of chat) void _; })()).rejects.toThrow(/upstream fell over/);
    const anthropic = new Anthropic({ baseURL: lease.anthropicBaseUrl, apiKey: lease.token, maxRetries: 0 });
    await expect(anthropic.messages.stream({ model: 'c', max_tokens: 10, messages: [{ role: 'user', content: 'go' }] }).finalMessage()).rejects.toThrow(/upstream fell over/);
    const responses = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 }).responses.stream({ model: 'm', input: 'go' });
    // The SDK passes response.failed on as an event (codex stops on it); the message is in it.
    const failed = [];
    for await (const e of responses) if (e.type === 'response.failed') failed.push(e.response.error?.message);
    expect(failed).toEqual([expect.stringMatching(/upstream fell over/)]);
  });
});
