import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, type ScriptRule, startScriptedModel, when } from './index.js';

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(rules: ScriptRule[], fallback?: Parameters<typeof startScriptedModel>[0]['fallback']) {
  server = await startScriptedModel({ rules, ...(fallback ? { fallback } : {}) });
  return server;
}

const post = (url: string, body: object) =>
  fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify(body),
  });

const chat = (content: string, extra: object = {}) => ({ model: 'm', messages: [{ role: 'user', content }], ...extra });

interface Completion {
  choices: { message: { content: string | null } }[];
  error: { message: string };
}
const json = (res: Response) => res.json() as Promise<Completion>;

/** The JSON payloads of an SSE body, checking the framing on the way. */
function sseData(text: string): unknown[] {
  const events = text.split('\n\n');
  expect(events.pop()).toBe('');
  expect(events.every((e) => e.startsWith('data: '))).toBe(true);
  expect(events.at(-1)).toBe('data: [DONE]');
  return events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
}

interface Chunk {
  object: string;
  choices: { delta: { content?: string | null; tool_calls?: { index: number; id?: string; type?: string; function: { name?: string; arguments?: string } }[] }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

describe('startScriptedModel', () => {
  it('listens on 127.0.0.1 and answers GET /v1/models', async () => {
    const s = await serve([]);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(`${s.url}/models`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: 'list', data: [{ object: 'model' }] });
  });

  it('streams proper SSE chunks with split arguments, a finish chunk and a usage chunk', async () => {
    const s = await serve([
      { when: when.always(), reply: { content: 'Working on it now.', toolCalls: [{ name: 'run', arguments: { command: 'npm test' } }] } },
    ]);
    const res = await post(s.url, chat('go', { stream: true, stream_options: { include_usage: true } }));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const chunks = sseData(await res.text()) as Chunk[];
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('Working on it now.');
    const callDeltas = deltas.flatMap((d) => d.tool_calls ?? []);
    expect(callDeltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'run' } });
    expect(callDeltas[0]?.id).toBeTruthy();
    expect(callDeltas.filter((d) => d.function.arguments).length).toBeGreaterThanOrEqual(2);
    expect(callDeltas.map((d) => d.function.arguments ?? '').join('')).toBe('{"command":"npm test"}');
    const finish = chunks.at(-2);
    expect(finish?.choices[0]?.finish_reason).toBe('tool_calls');
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage?.total_tokens).toBe((usage?.usage?.prompt_tokens ?? 0) + (usage?.usage?.completion_tokens ?? 0));

    const plain = sseData(await (await post(s.url, chat('go', { stream: true }))).text()) as Chunk[];
    expect(plain.some((c) => c.usage)).toBe(false);
  });

  it('answers non-streaming requests with a chat.completion and usage', async () => {
    const s = await serve([{ when: when.always(), reply: { content: 'abcdefgh', finishReason: 'length' } }]);
    const body = await (await post(s.url, chat('12345678'))).json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'abcdefgh' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
  });

  it('lets the first matching rule win and records rule and Authorization', async () => {
    const s = await serve([
      { name: 'never', when: () => false, reply: { content: 'no' } },
      { when: when.lastUserIncludes('hello'), reply: { content: 'first' } },
      { name: 'also', when: when.always(), reply: { content: 'second' } },
    ]);
    const body = await json(await post(s.url, chat('hello')));
    expect(body.choices[0].message.content).toBe('first');
    expect(s.requests[0]).toMatchObject({ rule: '#1', authorization: 'Bearer test' });
  });

  it('answers 400 with an OpenAI error when nothing matches, or uses the fallback', async () => {
    const s = await serve([{ when: when.firstUserIncludes('x'), reply: {} }]);
    const res = await post(s.url, chat(`please ${'y'.repeat(300)}`));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: `scripted model: no rule matched (last user message: please ${'y'.repeat(193)})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    await s.close();
    const f = await serve([], { content: 'fallback' });
    const body = await json(await post(f.url, chat('anything')));
    expect(body.choices[0].message.content).toBe('fallback');
    expect(f.requests[0]?.rule).toBeUndefined();
  });

  it('answers 500 with the error text when a reply function throws', async () => {
    const s = await serve([
      {
        when: when.always(),
        reply: () => {
          throw new Error('script bug: no such fixture');
        },
      },
    ]);
    const res = await post(s.url, chat('hi'));
    expect(res.status).toBe(500);
    expect((await json(res)).error.message).toContain('script bug: no such fixture');
  });

  it('sends scripted HTTP errors with their headers', async () => {
    const s = await serve([{ when: when.always(), reply: { status: 429, error: 'slow down', headers: { 'retry-after': '3' } } }]);
    const res = await post(s.url, chat('hi'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await json(res)).error).toMatchObject({ message: 'slow down', type: 'rate_limit_error' });
  });

  it('serves many concurrent slow requests', async () => {
    const s = await serve([{ when: when.always(), reply: (c) => ({ content: `echo ${c.lastUser}`, delayMs: 50 }) }]);
    const started = Date.now();
    const bodies = await Promise.all(Array.from({ length: 30 }, (_, i) => post(s.url, chat(`n${i}`)).then(json)));
    expect(bodies.map((b) => b.choices[0].message.content)).toEqual(Array.from({ length: 30 }, (_, i) => `echo n${i}`));
    expect(s.requests).toHaveLength(30);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('closes promptly with idle keep-alive connections and pending delays', async () => {
    const s = await serve([{ when: when.lastUserIncludes('slow'), reply: { delayMs: 60_000 } }, { when: when.always(), reply: {} }]);
    await (await post(s.url, chat('fast'))).json();
    const pending = post(s.url, chat('slow')).catch(() => 'failed');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close();
    server = undefined;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBe('failed');
  });
});
