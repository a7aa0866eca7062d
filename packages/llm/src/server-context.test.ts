import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ToolSpec } from './model.js';
import { openaiCompatible } from './openai-compatible.js';
import { loadExchanges, startReplayServer, type RecordedExchange, type ReplayServer } from './testing/index.js';

// llama-server's recorded `-c 1100` session (its slots hold 1,280 tokens); /props and /slots are in
// the shape llama-server documents (see fixtures/llama-server/README.md: not recorded).
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/llama-server');
const recorded = (file: string, pick?: number[]) => loadExchanges(path.join(fixtures, file), pick);

/** The messages and tools caid really sent in recorded request `i` of proxy-ctx.jsonl. */
function recordedRequest(i: number): { messages: ChatMessage[]; tools: ToolSpec[] } {
  const body = JSON.parse(recorded('proxy-ctx.jsonl', [i])[0]!.req!) as { messages: ChatMessage[]; tools: { function: ToolSpec }[] };
  return { messages: body.messages, tools: body.tools.map((t) => t.function) };
}

let server: ReplayServer | undefined;
afterEach(async () => server?.close());
let endpoint = 0;

async function sentMaxTokens(exchanges: RecordedExchange[], request: number, o: { maxReplyTokens?: number; probe?: boolean } = {}) {
  server = await startReplayServer(exchanges);
  // A fresh endpoint per test: the answer is cached per base URL and model.
  const model = openaiCompatible({
    baseURL: server.url, model: `caid-fixture-${++endpoint}`, maxReplyTokens: o.maxReplyTokens,
    capabilities: { contextWindow: 32_768 }, ...(o.probe === false ? {} : { contextProbe: 'llamacpp' as const }),
  });
  const before = model.contextWindow;
  // The third recorded request is refused (400 exceed_context_size_error) as it was then: only what was sent matters here.
  await model.complete(recordedRequest(request)).catch((e: Error) => expect(e.message).toMatch(/exceeds the available context size/));
  const bodies = server.requests.filter((r) => r !== '').map((r) => JSON.parse(r) as { max_tokens?: number });
  return { maxTokens: bodies.at(-1)!.max_tokens, before, after: model.contextWindow, requests: server.requests.length };
}

describe("llama-server's real n_ctx (the llamacpp preset assumed 32,768)", () => {
  it('is read from /props once and bounds max_tokens by the context the prompt leaves', async () => {
    // The third recorded request (~1,100 tokens by the 4-characters rule; 1,393 by the server's count) against 1,280.
    const r = await sentMaxTokens([...recorded('props-n-ctx-1280.jsonl'), ...recorded('proxy-ctx.jsonl', [2])], 2);
    expect(r).toMatchObject({ before: 32_768, after: 1_280 });
    const { messages, tools } = recordedRequest(2);
    expect(r.maxTokens).toBe(1_280 - Math.ceil((JSON.stringify(messages).length + JSON.stringify(tools).length) / 4));
    expect(r.maxTokens).toBeLessThan(320);
  });

  it('takes the configured cap when the context leaves more', async () => {
    const r = await sentMaxTokens([...recorded('props-n-ctx-1280.jsonl'), ...recorded('proxy-ctx.jsonl', [0])], 0, { maxReplyTokens: 100 });
    expect(r.maxTokens).toBe(100);
  });

  it('falls back to /slots when /props is not served', async () => {
    const r = await sentMaxTokens([...recorded('slots-n-ctx-1280.jsonl'), ...recorded('proxy-ctx.jsonl', [0])], 0);
    expect(r.after).toBe(1_280);
    // A quarter of 1,280: the first request leaves more than that.
    expect(r.maxTokens).toBe(320);
  });

  it('keeps the preset when the server does not say', async () => {
    const r = await sentMaxTokens(recorded('proxy-ctx.jsonl', [0]), 0);
    expect(r).toMatchObject({ after: 32_768, maxTokens: 8_192 });
  });

  it('asks once per endpoint', async () => {
    server = await startReplayServer([...recorded('props-n-ctx-1280.jsonl'), ...recorded('proxy-ctx.jsonl', [0, 1])]);
    const options = { baseURL: server.url, model: 'caid-fixture-shared', contextProbe: 'llamacpp' as const };
    await openaiCompatible(options).complete(recordedRequest(0));
    const second = openaiCompatible(options);
    await second.complete(recordedRequest(1));
    expect(second.contextWindow).toBe(1_280);
    expect(server.requests).toHaveLength(3);
  });
});

describe('other servers that report their context', () => {
  const finish = () => recorded('trained-finish.jsonl');
  it("Ollama: /api/show's num_ctx, else at most the model's context_length", async () => {
    server = await startReplayServer([
      { url: '/api/show', status: 200, res: JSON.stringify({ parameters: 'stop "<|im_end|>"\nnum_ctx                        2048', model_info: { 'qwen2.context_length': 32_768 } }) },
      ...finish(),
      { url: '/api/show', status: 200, res: JSON.stringify({ model_info: { 'qwen2.context_length': 4_096 } }) },
      ...finish(),
    ]);
    const withNumCtx = openaiCompatible({ baseURL: server.url, model: 'qwen-a', contextProbe: 'ollama', capabilities: { contextWindow: 8_192 } });
    await withNumCtx.complete({ messages: [{ role: 'user', content: 'hi' }], tools: [] });
    expect(withNumCtx.contextWindow).toBe(2_048);
    const bounded = openaiCompatible({ baseURL: server.url, model: 'qwen-b', contextProbe: 'ollama', capabilities: { contextWindow: 8_192 } });
    await bounded.complete({ messages: [{ role: 'user', content: 'hi' }], tools: [] });
    expect(bounded.contextWindow).toBe(4_096);
    expect(JSON.parse(server.requests[2]!)).toEqual({ model: 'qwen-b' });
  });

  it("vLLM: /v1/models' max_model_len of the model", async () => {
    server = await startReplayServer([
      { url: '/v1/models', status: 200, res: JSON.stringify({ object: 'list', data: [{ id: 'other', max_model_len: 99 }, { id: 'coder', object: 'model', max_model_len: 16_384 }] }) },
      ...finish(),
    ]);
    const model = openaiCompatible({ baseURL: server.url, model: 'coder', contextProbe: 'vllm' });
    await model.complete({ messages: [{ role: 'user', content: 'hi' }], tools: [] });
    expect(model.contextWindow).toBe(16_384);
  });
});
