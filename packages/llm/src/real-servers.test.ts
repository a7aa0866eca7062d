import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointLimiter } from './endpoint-limiter.js';
import { isContextOverflow, type ModelRequest, ModelError } from './model.js';
import { openaiCompatible } from './openai-compatible.js';
import { recordingModel, replayModel } from './record-replay.js';
import { retryDelayMs } from './retry.js';
import { type ScriptedModelServer, type ScriptedReply, type ScriptRule, startScriptedModel, when } from './testing/index.js';

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const serve = async (rules: ScriptRule[]) => (server = await startScriptedModel({ rules }));
const user = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }], tools: [] });
const fast = { baseDelayMs: 1, maxDelayMs: 50 };

describe('retries', () => {
  it('backs off exponentially with jitter, and a Retry-After wins', () => {
    const p = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelayMs(0, undefined, { ...p, random: () => 0 })).toBe(50);
    expect(retryDelayMs(0, undefined, { ...p, random: () => 1 })).toBe(100);
    expect(retryDelayMs(3, undefined, { ...p, random: () => 0 })).toBe(400);
    expect(retryDelayMs(9, undefined, { ...p, random: () => 1 })).toBe(1_000);
    expect(retryDelayMs(0, 700, p)).toBe(700);
    expect(retryDelayMs(0, 60_000, p)).toBe(1_000);
  });

  it('retries 429 and 5xx, honouring Retry-After, then succeeds', async () => {
    let n = 0;
    const s = await serve([{
      when: when.always(),
      reply: (): ScriptedReply => ([
        { status: 429, error: 'rate limited', headers: { 'retry-after': '0.02' } },
        { status: 503, error: 'overloaded' },
        { status: 500, error: 'oops', headers: { 'retry-after-ms': '5' } },
        { content: 'finally' },
      ] as ScriptedReply[])[n++]!,
    }]);
    const waits: number[] = [];
    const model = openaiCompatible({ baseURL: s.url, model: 'm', retry: { ...fast, random: () => 1 }, onRetry: (_e, ms) => waits.push(ms) });
    expect((await model.complete(user('hi'))).message.content).toBe('finally');
    expect(s.requests).toHaveLength(4);
    expect(waits).toEqual([20, 2, 5]);
  });

  it('does not retry a 400', async () => {
    const s = await serve([{ when: when.always(), reply: { status: 400, error: 'bad request' } }]);
    const err = await openaiCompatible({ baseURL: s.url, model: 'm', retry: fast }).complete(user('hi')).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(s.requests).toHaveLength(1);
  });

  it('retries connection errors', async () => {
    const s = await serve([]);
    const url = s.url;
    await s.close();
    server = undefined;
    let retries = 0;
    const err = await openaiCompatible({ baseURL: url, model: 'm', maxRetries: 2, retry: fast, onRetry: () => retries++ }).complete(user('hi')).catch((e) => e);
    expect(err).toMatchObject({ retryable: true });
    expect(retries).toBe(2);
  });
});

describe('slow servers and shared endpoints', () => {
  it('waits for a server that holds its reply for seconds; a configured headers timeout cuts it', async () => {
    const s = await serve([{ when: when.always(), reply: { content: 'slow but sure', delayMs: 2_000 } }]);
    expect((await openaiCompatible({ baseURL: s.url, model: 'm' }).complete(user('hi'))).message.content).toBe('slow but sure');
    const cut = openaiCompatible({ baseURL: s.url, model: 'm', maxRetries: 0, timeouts: { headersMs: 300 } });
    const err = await cut.complete(user('hi')).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.retryable).toBe(true);
  });

  it('keeps requests in flight to one endpoint at its limit, across Model objects', async () => {
    let inFlight = 0;
    let peak = 0;
    const s = await serve([{ when: when.always(), reply: (c) => ({ content: `echo ${c.lastUser}`, delayMs: 150 }) }]);
    // The server sees arrival; count arrivals against completions from the client side.
    const models = [1, 2, 3].map(() => openaiCompatible({ baseURL: s.url, model: 'm', maxConcurrentRequests: 2 }));
    const replies = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try { return (await models[i % 3]!.complete(user(`n${i}`))).message.content; } finally { inFlight--; }
    }));
    expect(replies).toEqual(Array.from({ length: 8 }, (_, i) => `echo n${i}`));
    expect(peak).toBe(8);
    expect(endpointLimiter(s.url, 2).peak).toBe(2);
  });
});

describe('models without native tool calls', () => {
  const tool = { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } };

  it.each([false, true])('reads a tool call from a JSON block in the text (stream: %s)', async (stream) => {
    const s = await serve([
      { when: (c) => c.lastUser.startsWith('Result of read_file'), reply: { content: 'Done.\n```json\n{"tool": "finish", "arguments": {"summary": "ok"}}\n```' } },
      { when: when.always(), reply: { content: 'I will read it.\n```json\n{"tool": "read_file", "arguments": {"path": "a.txt"}}\n```' } },
    ]);
    const model = openaiCompatible({ baseURL: s.url, model: 'm', stream, capabilities: { nativeTools: false } });
    const messages: ModelRequest['messages'] = [{ role: 'system', content: 'sys' }, { role: 'user', content: 'task' }];
    const first = await model.complete({ messages, tools: [tool] });
    expect(first.finishReason).toBe('tool_calls');
    expect(first.message.content).toBe('I will read it.');
    const c = first.message.tool_calls![0]!;
    expect(c.function).toEqual({ name: 'read_file', arguments: '{"path":"a.txt"}' });
    const sent = s.requests[0]!.conversation;
    expect(sent.tools).toEqual([]);
    expect(sent.messages[0]!.content).toMatch(/^sys\n\n# Tools[\s\S]*- read_file: Read a file/);

    messages.push(first.message, { role: 'tool', tool_call_id: c.id, content: 'hello' });
    const second = await model.complete({ messages, tools: [tool] });
    expect(second.message.tool_calls![0]!.function.name).toBe('finish');
    const history = s.requests[1]!.conversation.messages;
    expect(history.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(history[2]!.content).toContain('"tool":"read_file"');
    expect(history[3]!.content).toBe('Result of read_file:\nhello');
  });
});

it('does not stream when tools are offered to a server that cannot stream tool calls', async () => {
  const s = await serve([{ when: when.always(), reply: { content: 'ok' } }]);
  const model = openaiCompatible({ baseURL: s.url, model: 'm', stream: true, capabilities: { streamingToolCalls: false } });
  await model.complete(user('no tools'));
  await model.complete({ ...user('tools'), tools: [{ name: 'finish', description: 'd', parameters: { type: 'object' } }] });
  expect(s.requests.map((r) => r.conversation.stream)).toEqual([true, false]);
  expect(model.contextWindow).toBe(128_000);
});

describe('record and replay', () => {
  it('replays recorded replies without a server; an unrecorded call is a ModelError', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-rec-'));
    try {
      const s = await serve([{ when: when.always(), reply: (c) => ({ content: `answer to ${c.lastUser}` }) }]);
      const rec = recordingModel(openaiCompatible({ baseURL: s.url, model: 'rec-model' }), dir);
      const a = await rec.complete(user('one'));
      const b = await rec.complete({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'two' }], tools: [] });
      expect(readdirSync(dir)).toHaveLength(2);
      await s.close();
      server = undefined;
      const replay = replayModel(dir);
      expect(replay.name).toBe('rec-model');
      expect(await replay.complete(user('one'))).toEqual(a);
      expect(await replay.complete({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'two' }], tools: [] })).toEqual(b);
      await expect(replay.complete(user('three'))).rejects.toThrow(/no recorded reply/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('recognises context-overflow errors', () => {
  expect(isContextOverflow(new ModelError("This model's maximum context length is 8192 tokens", 400))).toBe(true);
  expect(isContextOverflow(new ModelError('the request exceeds the available context size (n_ctx)', 400))).toBe(true);
  expect(isContextOverflow(new ModelError('bad key', 401))).toBe(false);
});
