import { afterEach, describe, expect, it } from 'vitest';
import { type ChatMessage, ModelError, type ModelRequest } from './model.js';
import { openaiCompatible } from './openai-compatible.js';
import { type ScriptedModelServer, type ScriptRule, startScriptedModel, when } from './testing/index.js';

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(rules: ScriptRule[]): Promise<ScriptedModelServer> {
  server = await startScriptedModel({ rules });
  return server;
}

const user = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }], tools: [] });
const readFileTool = {
  name: 'read_file',
  description: 'Read a file',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

async function rejection(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe.each([false, true])('openaiCompatible (stream: %s)', (stream) => {
  it('returns a text reply', async () => {
    const s = await serve([{ when: when.always(), reply: { content: 'Hello there, how can I help?' } }]);
    const model = openaiCompatible({ baseURL: s.url, model: 'qwen', stream });
    const reply = await model.complete(user('hi'));
    expect(model.name).toBe('qwen');
    expect(reply.message).toEqual({ role: 'assistant', content: 'Hello there, how can I help?' });
    expect(reply.finishReason).toBe('stop');
    expect(s.requests[0]?.conversation.stream).toBe(stream);
  });

  it('returns tool calls with their name, arguments and ids', async () => {
    const s = await serve([
      {
        when: when.firstUserIncludes('read'),
        reply: {
          content: null,
          toolCalls: [
            { name: 'read_file', arguments: { path: 'src/index.ts' } },
            { name: 'read_file', arguments: { path: 'package.json' } },
          ],
        },
      },
    ]);
    const model = openaiCompatible({ baseURL: s.url, model: 'm', stream });
    const reply = await model.complete({ messages: [{ role: 'user', content: 'read two files' }], tools: [readFileTool] });
    expect(reply.finishReason).toBe('tool_calls');
    const calls = reply.message.tool_calls ?? [];
    expect(calls.map((c) => c.function.name)).toEqual(['read_file', 'read_file']);
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([{ path: 'src/index.ts' }, { path: 'package.json' }]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(calls.every((c) => c.type === 'function' && c.id.length > 0)).toBe(true);
    expect(s.requests[0]?.conversation.tools).toEqual(['read_file']);
  });

  it('passes malformed raw-string arguments through unchanged', async () => {
    const raw = '{"path": "a.txt", "content": "unterminated';
    const s = await serve([{ when: when.always(), reply: { toolCalls: [{ name: 'write_file', arguments: raw }] } }]);
    const reply = await openaiCompatible({ baseURL: s.url, model: 'm', stream }).complete(user('write'));
    expect(reply.message.tool_calls?.[0]?.function.arguments).toBe(raw);
  });

  it('counts usage and prices it', async () => {
    const s = await serve([
      { when: when.always(), reply: { content: 'ok', usage: { prompt_tokens: 1200, completion_tokens: 300 } } },
    ]);
    const model = openaiCompatible({ baseURL: s.url, model: 'm', stream, pricing: { inputPerMTok: 3, outputPerMTok: 15 } });
    const reply = await model.complete(user('hi'));
    expect(reply.usage).toEqual({ inputTokens: 1200, outputTokens: 300, costUsd: 0.0081 });
    const free = await openaiCompatible({ baseURL: s.url, model: 'm', stream }).complete(user('hi'));
    expect(free.usage.costUsd).toBe(0);
  });

  it('retries a 429 and then succeeds', async () => {
    let calls = 0;
    const s = await serve([
      {
        when: when.always(),
        reply: () =>
          ++calls === 1
            ? { status: 429, error: 'Rate limit reached', headers: { 'retry-after': '0' } }
            : { content: 'after the limit' },
      },
    ]);
    const reply = await openaiCompatible({ baseURL: s.url, model: 'm', stream }).complete(user('hi'));
    expect(reply.message.content).toBe('after the limit');
    expect(s.requests).toHaveLength(2);
  });

  it('surfaces a 400 as a ModelError without the API key', async () => {
    const apiKey = 'sk-secret-123456789012345';
    const s = await serve([
      { when: when.always(), reply: { status: 400, error: `Incorrect API key provided: ${apiKey}. Check it.` } },
    ]);
    const err = await rejection(openaiCompatible({ baseURL: s.url, model: 'm', apiKey, stream }).complete(user('hi')));
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Incorrect API key provided');
    expect(err.message).not.toContain(apiKey);
    expect(err.message).not.toContain('123456789012345');
    expect(s.requests[0]?.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('propagates an abort as ModelError("aborted")', async () => {
    const s = await serve([{ when: when.always(), reply: { content: 'too late', delayMs: 10_000 } }]);
    const model = openaiCompatible({ baseURL: s.url, model: 'm', stream });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const err = await rejection(model.complete({ ...user('hi'), signal: controller.signal }));
    expect(err.message).toBe('aborted');
    expect(err.retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    const already = await rejection(model.complete({ ...user('hi'), signal: AbortSignal.abort() }));
    expect(already.message).toBe('aborted');
  });
});

describe('openaiCompatible errors', () => {
  it('reports an exhausted 429 as retryable with its status', async () => {
    const s = await serve([{ when: when.always(), reply: { status: 429, error: 'slow down', headers: { 'retry-after': '0' } } }]);
    const err = await rejection(openaiCompatible({ baseURL: s.url, model: 'm', maxRetries: 1 }).complete(user('hi')));
    expect(err).toMatchObject({ status: 429, retryable: true });
    expect(s.requests).toHaveLength(2);
  });

  it('explains an unmatched script request', async () => {
    const s = await serve([{ when: when.lastUserIncludes('never'), reply: { content: 'x' } }]);
    const err = await rejection(openaiCompatible({ baseURL: s.url, model: 'm' }).complete(user('something else')));
    expect(err.status).toBe(400);
    expect(err.message).toContain('no rule matched (last user message: something else)');
  });

  it('times out as a retryable ModelError', async () => {
    const s = await serve([{ when: when.always(), reply: { content: 'slow', delayMs: 5_000 } }]);
    const model = openaiCompatible({ baseURL: s.url, model: 'm', timeoutMs: 200, maxRetries: 0 });
    const err = await rejection(model.complete(user('hi')));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/timed out after 200 ms/);
  });

  it('timeoutMs bounds a streamed reply that stalls after its first piece, not only the wait for headers', async () => {
    const s = await serve([{ when: when.always(), reply: { content: 'a reply that stalls half way', afterFirstChunk: () => new Promise((r) => setTimeout(r, 5_000)) } }]);
    const model = openaiCompatible({ baseURL: s.url, model: 'm', stream: true, timeoutMs: 300, maxRetries: 0 });
    const err = await rejection(model.complete(user('hi')));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/timed out after 300 ms/);
  });

  it('names the endpoint when the server is unreachable', async () => {
    const s = await serve([]);
    const url = s.url;
    await s.close();
    server = undefined;
    const err = await rejection(openaiCompatible({ baseURL: url, model: 'm', maxRetries: 0 }).complete(user('hi')));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`cannot reach model server at ${url}`);
  });
});

describe('openaiCompatible against a multi-turn script', () => {
  it('lets rules follow rounds and steps; records the conversation and Authorization', async () => {
    const s = await serve([
      {
        name: 'read',
        when: (c) => c.stepInRound === 0 && c.lastUser.includes('task'),
        reply: { toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }] },
      },
      {
        name: 'finish',
        when: (c) => c.lastToolResult !== undefined,
        reply: (c) => ({ content: `read ${c.lastToolResult} at step ${c.stepInRound}` }),
      },
      { name: 'fix', when: when.lastUserIncludes('fix'), reply: (c) => ({ content: `round 2, turns ${c.assistantTurns}` }) },
    ]);
    const model = openaiCompatible({ baseURL: s.url, model: 'agent-model' });
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are a coder.' },
      { role: 'user', content: 'do the task' },
    ];
    const first = await model.complete({ messages, tools: [readFileTool] });
    const call = first.message.tool_calls?.[0];
    expect(call?.function.name).toBe('read_file');
    messages.push(first.message, { role: 'tool', tool_call_id: call?.id ?? '', content: 'hello' });
    const second = await model.complete({ messages, tools: [readFileTool] });
    expect(second.message.content).toBe('read hello at step 1');
    messages.push(second.message, { role: 'user', content: 'now fix it' });
    const third = await model.complete({ messages, tools: [readFileTool] });
    expect(third.message.content).toBe('round 2, turns 2');

    expect(s.requests.map((r) => r.rule)).toEqual(['read', 'finish', 'fix']);
    expect(s.requests.map((r) => r.conversation.stepInRound)).toEqual([0, 1, 0]);
    expect(s.requests.map((r) => r.conversation.lastUser)).toEqual(['do the task', 'do the task', 'now fix it']);
    expect(s.requests.map((r) => r.authorization)).toEqual(Array(3).fill('Bearer sk-no-key'));
    const last = s.requests[2]?.conversation;
    expect(last?.model).toBe('agent-model');
    expect(last?.firstUser).toBe('do the task');
    expect(last?.messages).toEqual(messages);
    expect(last?.includes('You are a coder')).toBe(true);
  });
});
