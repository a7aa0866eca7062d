import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Model, TokenUsage } from '../model.js';
import { openaiCompatible } from '../openai-compatible.js';
import { recordingModel, replayModel } from '../record-replay.js';
import { type ScriptedModelServer, type ScriptedReply, startScriptedModel, when } from '../testing/index.js';
import { type LeaseOptions, type MeteringEndpoint, startMeteringEndpoint } from './index.js';

let upstream: ScriptedModelServer | undefined;
let endpoint: MeteringEndpoint | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await endpoint?.close();
  await upstream?.close();
  endpoint = upstream = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TEXT = 'Streaming the reply one piece at a time, as the upstream writes it.';
const CALL = { name: 'write_file', arguments: { path: 'a.txt', content: 'hi' } };

/**
 * An upstream that holds its reply after the first piece until the client has seen that piece:
 * an endpoint that waited for the whole reply would never let it finish. `log` records the order.
 */
function heldReply(log: string[], extra: Partial<ScriptedReply> = {}) {
  let release!: () => void;
  const seen = new Promise<void>((r) => (release = r));
  const reply: ScriptedReply = {
    content: TEXT, toolCalls: [CALL], usage: { prompt_tokens: 40, completion_tokens: 25 }, chunkDelayMs: 2,
    afterFirstChunk: () => seen, onSent: () => log.push('upstream finished'), ...extra,
  };
  const firstPiece = () => {
    if (log.includes('client saw the first piece')) return;
    log.push('client saw the first piece');
    release();
  };
  return { reply, firstPiece };
}

async function setup(reply: ScriptedReply | ScriptedReply[], lease: Partial<LeaseOptions> = {}, wrap = (m: Model) => m) {
  const replies = Array.isArray(reply) ? reply : [reply];
  let n = 0;
  upstream = await startScriptedModel({ rules: [{ when: when.always(), reply: () => replies[Math.min(n++, replies.length - 1)]! }] });
  endpoint = await startMeteringEndpoint({ keepAliveMs: 60_000 });
  const usage: TokenUsage[] = [];
  // No `stream: true` here: a streaming client makes the endpoint stream from the upstream.
  const model = wrap(openaiCompatible({ baseURL: upstream.url, model: 'up', maxRetries: 2, retry: { baseDelayMs: 1, maxDelayMs: 1 } }));
  const l = endpoint.lease({ model, onUsage: (u) => usage.push(u), ...lease });
  return { lease: l, usage, up: upstream };
}

describe('metering endpoint: a streaming client gets the reply as the upstream generates it', () => {
  it('chat completions: first piece before the upstream finished, whole reply and the upstream usage after', async () => {
    const log: string[] = [];
    const { reply, firstPiece } = heldReply(log);
    const { lease, usage } = await setup(reply);
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'go' }] });
    let text = '';
    let args = '';
    let reported;
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta;
      if (d?.content) { firstPiece(); text += d.content; }
      args += d?.tool_calls?.[0]?.function?.arguments ?? '';
      if (chunk.usage) reported = chunk.usage;
    }
    expect(log).toEqual(['client saw the first piece', 'upstream finished']);
    expect(text).toBe(TEXT);
    expect(JSON.parse(args)).toEqual(CALL.arguments);
    expect(reported).toMatchObject({ prompt_tokens: 40, completion_tokens: 25 });
    expect(usage).toEqual([{ inputTokens: 40, outputTokens: 25, costUsd: 0 }]);
  });

  it('Responses API: first text delta before the upstream finished; the final response holds text and call', async () => {
    const log: string[] = [];
    const { reply, firstPiece } = heldReply(log);
    const { lease } = await setup(reply);
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const stream = client.responses.stream({ model: 'm', input: 'go' });
    for await (const e of stream) if (e.type === 'response.output_text.delta') firstPiece();
    const final = await stream.finalResponse();
    expect(log).toEqual(['client saw the first piece', 'upstream finished']);
    expect(final.output_text).toBe(TEXT);
    const call = final.output.find((i) => i.type === 'function_call');
    expect(call && JSON.parse(call.arguments)).toEqual(CALL.arguments);
    expect(final.usage).toMatchObject({ input_tokens: 40, output_tokens: 25 });
  });

  it('Anthropic Messages: first text delta before the upstream finished; tool_use input whole at the end', async () => {
    const log: string[] = [];
    const { reply, firstPiece } = heldReply(log);
    const { lease } = await setup(reply);
    const client = new Anthropic({ baseURL: lease.anthropicBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'c', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] });
    stream.on('text', () => firstPiece());
    const final = await stream.finalMessage();
    expect(log).toEqual(['client saw the first piece', 'upstream finished']);
    expect(final.content).toEqual([{ type: 'text', text: TEXT }, expect.objectContaining({ type: 'tool_use', name: 'write_file', input: CALL.arguments })]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage).toMatchObject({ input_tokens: 40, output_tokens: 25 });
  });

  it('an upstream that reports no usage: the tokens are estimated and marked so', async () => {
    const { lease, usage } = await setup({ content: TEXT, omitUsage: true });
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] });
    for await (const _ of stream) void _;
    expect(usage).toEqual([expect.objectContaining({ estimated: true, outputTokens: Math.ceil(TEXT.length / 4) })]);
  });

  it('a budget spent mid-reply ends the stream cleanly (cut at the limit), aborts the upstream and counts what streamed', async () => {
    const log: string[] = [];
    let spent = false;
    const { reply, firstPiece } = heldReply(log);
    // The upstream is held after its first piece; the budget is spent as that piece arrives.
    const { lease, usage } = await setup({ ...reply, afterFirstChunk: () => new Promise(() => undefined) }, {
      onProgress: (p) => (p.outputTokens > 0 ? ((spent = true), 'token budget of 10 spent') : undefined),
      admit: () => (spent ? 'token budget of 10 spent' : undefined),
    });
    const client = new Anthropic({ baseURL: lease.anthropicBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'c', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] });
    stream.on('text', () => firstPiece());
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('max_tokens');
    expect(final.content).toEqual([{ type: 'text', text: expect.stringMatching(/^Streaming/) }]);
    expect(log).toEqual(['client saw the first piece']);
    expect(usage).toEqual([expect.objectContaining({ estimated: true, outputTokens: expect.any(Number) })]);
    expect(usage[0]!.outputTokens).toBeGreaterThan(0);
    // The next request is refused before it goes upstream.
    await expect(client.messages.create({ model: 'c', max_tokens: 10, messages: [{ role: 'user', content: 'go' }] })).rejects.toMatchObject({ status: 400 });
  });

  it('retries before the first piece, never after it: a reply cut mid-stream is an in-stream error', async () => {
    const { lease, up } = await setup([{ status: 503, error: 'warming up' }, { content: TEXT }]);
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const ok = client.responses.stream({ model: 'm', input: 'go' });
    expect((await ok.finalResponse()).output_text).toBe(TEXT);
    expect(up.requests).toHaveLength(2);

    const cut = await setup({ content: TEXT, dropAfterFirstChunk: true });
    const chat = await new OpenAI({ baseURL: cut.lease.openaiBaseUrl, apiKey: cut.lease.token, maxRetries: 0 })
      .chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] });
    let text = '';
    await expect((async () => { for await (const c of chat) text += c.choices[0]?.delta.content ?? ''; })()).rejects.toThrow(/upstream model: terminated/);
    expect(text.length).toBeGreaterThan(0);
    expect(cut.up.requests).toHaveLength(1);
  });

  it('a retryable failure (a timeout) after the first piece is not retried: the client would get the text twice', async () => {
    upstream = await startScriptedModel({ rules: [{ when: when.always(), reply: { content: TEXT, afterFirstChunk: () => new Promise((r) => setTimeout(r, 3_000)) } }] });
    endpoint = await startMeteringEndpoint();
    const model = openaiCompatible({ baseURL: upstream.url, model: 'up', maxRetries: 2, retry: { baseDelayMs: 1, maxDelayMs: 1 }, timeoutMs: 300 });
    const lease = endpoint.lease({ model });
    const anthropic = new Anthropic({ baseURL: lease.anthropicBaseUrl, apiKey: lease.token, maxRetries: 0 });
    await expect(anthropic.messages.stream({ model: 'c', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] }).finalMessage()).rejects.toThrow(/timed out after 300 ms \(after part of the reply was streamed: not retried\)/);
    expect(upstream.requests).toHaveLength(1);
  });

  it('the concurrency limit holds for streams; a recorded stream replays whole', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'caid-meter-rec-'));
    dirs.push(dir);
    upstream = await startScriptedModel({ rules: [{ when: when.always(), reply: { content: TEXT, chunkDelayMs: 1 } }] });
    endpoint = await startMeteringEndpoint();
    const model = recordingModel(openaiCompatible({ baseURL: upstream.url, model: 'up', maxRetries: 0, maxConcurrentRequests: 1 }), dir);
    const lease = endpoint.lease({ model });
    const client = new OpenAI({ baseURL: lease.openaiBaseUrl, apiKey: lease.token, maxRetries: 0 });
    const ask = (content: string) => client.responses.stream({ model: 'm', input: content }).finalResponse();
    const both = await Promise.all([ask('one'), ask('two')]);
    expect(both.map((r) => r.output_text)).toEqual([TEXT, TEXT]);
    expect(upstream.peakInFlight).toBe(1);

    const replay = endpoint.lease({ model: replayModel(dir) });
    const anthropic = new Anthropic({ baseURL: replay.anthropicBaseUrl, apiKey: replay.token, maxRetries: 0 });
    const again = await anthropic.messages.stream({ model: 'c', max_tokens: 100, messages: [{ role: 'user', content: 'one' }] }).finalMessage();
    expect(again.content).toEqual([{ type: 'text', text: TEXT }]);
  });
});
