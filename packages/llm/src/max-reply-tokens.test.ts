import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiCompatible } from './openai-compatible.js';
import { loadExchanges, startReplayServer, type ReplayServer } from './testing/index.js';

const finish = () => loadExchanges(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/llama-server/trained-finish.jsonl'));
let server: ReplayServer | undefined;
afterEach(async () => server?.close());

async function maxTokensSent(options: { contextWindow?: number; maxReplyTokens?: number; requestMax?: number }): Promise<unknown> {
  server = await startReplayServer(finish());
  const model = openaiCompatible({
    baseURL: server.url, model: 'caid-fixture', maxReplyTokens: options.maxReplyTokens,
    capabilities: options.contextWindow ? { contextWindow: options.contextWindow } : {},
  });
  const reply = await model.complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxTokens: options.requestMax });
  expect(reply.message.tool_calls?.[0]?.function.name).toBe('finish');
  return (JSON.parse(server.requests[0]!) as { max_tokens?: unknown }).max_tokens;
}

describe('max_tokens on every request (llama-server ran one reply for 7,282 tokens without it)', () => {
  it('defaults to a quarter of the context window, at most 8,192', async () => {
    expect(await maxTokensSent({})).toBe(8_192);
    expect(await maxTokensSent({ contextWindow: 1_280 })).toBe(320);
  });
  it('takes the configured cap, and a request\'s own value first', async () => {
    expect(await maxTokensSent({ maxReplyTokens: 1_000 })).toBe(1_000);
    expect(await maxTokensSent({ maxReplyTokens: 1_000, requestMax: 64 })).toBe(64);
  });
});
