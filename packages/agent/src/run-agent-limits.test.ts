import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiCompatible, type ChatMessage } from '@caid/llm';
import { startScriptedModel, when, type Conversation, type ScriptedModelServer } from '@caid/llm/testing';
import { runAgent } from './run-agent.js';
import { builtinTools } from './builtin-tools.js';

let server: ScriptedModelServer;
let dir: string;
const big = (n: number) => ({ toolCalls: [{ name: 'run', arguments: { command: `head -c ${n} /dev/zero | tr '\\0' x` } }] });
const finish = (summary: string) => ({ toolCalls: [{ name: 'finish', arguments: { summary } }] });
const chars = (c: Conversation) => c.messages.reduce((n, m) => n + (m.content?.length ?? 0), 0);
const CONDENSED = 'removed to save context';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caid-limits-'));
  server = await startScriptedModel({
    rules: [
      {
        name: 'length',
        when: when.firstUserIncludes('TASK-LENGTH'),
        reply: (c) => (c.includes(CONDENSED) ? finish('condensed and done') : c.assistantTurns < 5 ? big(3000) : { content: 'Let me write a very long', finishReason: 'length' }),
      },
      // A server with a 10k-character context: longer prompts get the error vLLM sends.
      { name: 'overflow', when: (c) => c.firstUser.includes('TASK-OVERFLOW') && chars(c) > 10_000, reply: { status: 400, error: "This model's maximum context length is 2500 tokens. However, you requested 3100 tokens." } },
      { name: 'overflow-ok', when: when.firstUserIncludes('TASK-OVERFLOW'), reply: (c) => (c.includes(CONDENSED) ? finish('fits again') : big(3000)) },
      { name: 'window', when: when.firstUserIncludes('TASK-WINDOW'), reply: (c) => (c.includes(CONDENSED) ? finish('stayed inside the window') : big(3000)) },
      { name: 'busy', when: when.firstUserIncludes('TASK-BUSY'), reply: { toolCalls: [{ name: 'list_files', arguments: {} }], usage: { prompt_tokens: 400, completion_tokens: 100 } } },
      {
        name: 'text-tools',
        when: when.firstUserIncludes('TASK-TEXT'),
        reply: (c) => ({
          content: [
            'I will write the file.\n```json\n{"tool": "write_file", "arguments": {"path": "t.txt", "content": "from text\\n"}}\n```',
            '{"name": "finish", "arguments": {"summary": "text tools work"}}',
          ][c.assistantTurns]!,
        }),
      },
    ],
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = (task: string): ChatMessage[] => [{ role: 'system', content: 'sys' }, { role: 'user', content: task }];
const model = () => openaiCompatible({ baseURL: server.url, model: 'scripted' });
const base = () => ({ model: model(), tools: builtinTools(dir), maxSteps: 12, timeoutMs: 60_000 });

describe('runAgent on real-server trouble', () => {
  it('condenses the history after finish_reason "length" and carries on', async () => {
    const r = await runAgent({ ...base(), messages: start('TASK-LENGTH') });
    expect(r).toMatchObject({ status: 'finished', summary: 'condensed and done' });
    const after = server.requests.filter((q) => q.rule === 'length').at(-1)!.conversation.messages;
    expect(after.slice(0, 2)).toEqual(start('TASK-LENGTH'));
    const tools = after.filter((m) => m.role === 'tool').map((m) => m.content.length);
    expect(tools[0]).toBeLessThan(500);
    expect(tools.at(-1)).toBeGreaterThan(3000);
  });

  it('condenses and retries when the server refuses the prompt as too long', async () => {
    const r = await runAgent({ ...base(), messages: start('TASK-OVERFLOW') });
    expect(r).toMatchObject({ status: 'finished', summary: 'fits again' });
    expect(server.requests.some((q) => q.rule === 'overflow')).toBe(true);
  });

  it('condenses before the prompt outgrows the model\'s context window', async () => {
    const m = openaiCompatible({ baseURL: server.url, model: 'scripted', capabilities: { contextWindow: 3000 } });
    const r = await runAgent({ ...base(), model: m, messages: start('TASK-WINDOW') });
    expect(r).toMatchObject({ status: 'finished', summary: 'stayed inside the window' });
    const sizes = server.requests.filter((q) => q.rule === 'window').map((q) => JSON.stringify(q.conversation.messages).length / 4);
    expect(Math.max(...sizes)).toBeLessThan(3000);
  });

  it('stops at the token limit', async () => {
    const r = await runAgent({ ...base(), messages: start('TASK-BUSY'), maxTokens: 1200 });
    expect(r).toMatchObject({ status: 'token-limit', steps: 3 });
    expect(r.message).toMatch(/1500 tokens used; the limit is 1200/);
  });

  it('stops after the current step when told to', async () => {
    let steps = 0;
    const r = await runAgent({ ...base(), messages: start('TASK-BUSY'), onStep: () => steps++, shouldStop: () => (steps >= 2 ? 'budget: run budget spent' : undefined) });
    expect(r).toMatchObject({ status: 'stopped', steps: 2, message: 'budget: run budget spent' });
  });

  it('works with a model that writes its tool calls as text', async () => {
    const m = openaiCompatible({ baseURL: server.url, model: 'scripted', capabilities: { nativeTools: false } });
    const r = await runAgent({ ...base(), model: m, messages: start('TASK-TEXT') });
    expect(r).toMatchObject({ status: 'finished', summary: 'text tools work', steps: 2 });
    expect(readFileSync(path.join(dir, 't.txt'), 'utf8')).toBe('from text\n');
  });
});
