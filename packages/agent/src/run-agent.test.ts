import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiCompatible, type ChatMessage } from '@caid/llm';
import { startScriptedModel, when, type ScriptedModelServer } from '@caid/llm/testing';
import { runAgent } from './run-agent.js';
import { builtinTools } from './builtin-tools.js';

let server: ScriptedModelServer;
let dir: string;
const toolMessages = (ms: ChatMessage[]) => ms.filter((m) => m.role === 'tool').map((m) => m.content);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caid-agent-'));
  server = await startScriptedModel({
    rules: [
      {
        name: 'writer',
        when: when.firstUserIncludes('TASK-WRITE'),
        reply: (c) => [
          { toolCalls: [{ name: 'write_file', arguments: { path: 'src/hello.txt', content: 'hello\n' } }] },
          { toolCalls: [{ name: 'run', arguments: { command: 'cat src/hello.txt' } }] },
          { toolCalls: [{ name: 'finish', arguments: { summary: 'wrote hello' } }] },
        ][c.stepInRound]!,
      },
      {
        name: 'clumsy',
        when: when.firstUserIncludes('TASK-CLUMSY'),
        reply: (c) => [
          { toolCalls: [{ name: 'delete_everything', arguments: {} }] },
          { toolCalls: [{ name: 'read_file', arguments: '{"path": ' }] },
          { toolCalls: [{ name: 'edit_file', arguments: { path: 'x' } }] },
          { content: 'I think I am done.' },
          { toolCalls: [{ name: 'finish', arguments: { summary: 'recovered' } }] },
        ][c.assistantTurns]!,
      },
      {
        name: 'warned',
        when: when.firstUserIncludes('TASK-WARN'),
        reply: (c) => (c.lastUser.includes('HEADS UP')
          ? { toolCalls: [{ name: 'finish', arguments: { summary: 'adapted to the warning' } }] }
          : { toolCalls: [{ name: 'list_files', arguments: {} }] }),
      },
      { name: 'chatty', when: when.firstUserIncludes('TASK-CHATTY'), reply: { content: 'Sure, here is some prose.' } },
      { name: 'busy', when: when.firstUserIncludes('TASK-BUSY'), reply: { toolCalls: [{ name: 'list_files', arguments: {} }] } },
      {
        name: 'gated',
        when: when.firstUserIncludes('TASK-GATED'),
        reply: { toolCalls: [{ name: 'finish', arguments: { summary: 'done?' } }] },
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

describe('runAgent', () => {
  it('runs tools until finish and reports every message', async () => {
    const seen: ChatMessage[] = [];
    const steps: number[] = [];
    const r = await runAgent({
      model: model(), tools: builtinTools(dir), messages: start('TASK-WRITE'), maxSteps: 10, timeoutMs: 30_000,
      onMessage: (m) => seen.push(m), onStep: (s) => steps.push(s.step),
    });
    expect(r).toMatchObject({ status: 'finished', summary: 'wrote hello', steps: 3 });
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(readFileSync(path.join(dir, 'src/hello.txt'), 'utf8')).toBe('hello\n');
    expect(toolMessages(seen)[1]).toBe('exit code 0\nhello\n');
    expect(steps).toEqual([1, 2, 3]);
  });

  it('sends unknown tools, bad JSON, schema violations and text-only replies back to the model', async () => {
    const seen: ChatMessage[] = [];
    const r = await runAgent({ model: model(), tools: builtinTools(dir), messages: start('TASK-CLUMSY'), maxSteps: 10, timeoutMs: 30_000, maxFormatErrors: 5, onMessage: (m) => seen.push(m) });
    expect(r).toMatchObject({ status: 'finished', summary: 'recovered', steps: 5 });
    const tools = toolMessages(seen);
    expect(tools[0]).toMatch(/unknown tool "delete_everything"\. Available tools: run, read_file/);
    expect(tools[1]).toMatch(/not valid JSON/);
    expect(tools[2]).toMatch(/invalid arguments for edit_file/);
    expect(tools[2]).toMatch(/old/);
    const nudge = seen.filter((m) => m.role === 'user').map((m) => m.content);
    expect(nudge).toEqual([expect.stringContaining('no tool call')]);
  });

  it('asks interject before every model call after the first and puts its text in the conversation as a user message', async () => {
    const asked: number[] = [];
    const seen: ChatMessage[] = [];
    const r = await runAgent({
      model: model(), tools: builtinTools(dir), messages: start('TASK-WARN'), maxSteps: 10, timeoutMs: 30_000, onMessage: (m) => seen.push(m),
      interject: async (step) => { asked.push(step); return step === 2 ? 'HEADS UP: a.ts would conflict' : undefined; },
    });
    // Steps 1 and 2 list files; the model sees the note before its third reply and finishes.
    expect(r).toMatchObject({ status: 'finished', summary: 'adapted to the warning', steps: 3 });
    expect(asked).toEqual([1, 2]);
    const users = seen.filter((m) => m.role === 'user').map((m) => m.content);
    expect(users).toEqual(['HEADS UP: a.ts would conflict']);
  });

  it('ends the task cleanly after repeated format errors', async () => {
    const r = await runAgent({ model: model(), tools: builtinTools(dir), messages: start('TASK-CHATTY'), maxSteps: 10, timeoutMs: 30_000, maxFormatErrors: 3 });
    expect(r).toMatchObject({ status: 'format-errors', steps: 3 });
  });

  it('ends the task cleanly at the step limit', async () => {
    const r = await runAgent({ model: model(), tools: builtinTools(dir), messages: start('TASK-BUSY'), maxSteps: 4, timeoutMs: 30_000 });
    expect(r).toMatchObject({ status: 'step-limit', steps: 4 });
  });

  it('lets the caller refuse a finish, and tells the model why', async () => {
    let refusals = 0;
    const seen: ChatMessage[] = [];
    const r = await runAgent({
      model: model(), tools: builtinTools(dir), messages: start('TASK-GATED'), maxSteps: 5, timeoutMs: 30_000, onMessage: (m) => seen.push(m),
      validateFinish: async () => (refusals++ < 2 ? 'conflict markers remain in a.ts' : null),
    });
    expect(r).toMatchObject({ status: 'finished', steps: 3 });
    expect(toolMessages(seen).slice(0, 2)).toEqual(['Refused: conflict markers remain in a.ts', 'Refused: conflict markers remain in a.ts']);
  });

  it('ends with model-error when the server refuses, and cancelled when aborted', async () => {
    const r = await runAgent({ model: model(), tools: builtinTools(dir), messages: start('NO RULE FOR THIS'), maxSteps: 5, timeoutMs: 30_000 });
    expect(r.status).toBe('model-error');
    expect(r.message).toMatch(/no rule matched/);
    const ac = new AbortController();
    ac.abort();
    const c = await runAgent({ model: model(), tools: builtinTools(dir), messages: start('TASK-BUSY'), maxSteps: 5, timeoutMs: 30_000, signal: ac.signal });
    expect(c.status).toBe('cancelled');
  });

  it('continues an existing conversation', async () => {
    writeFileSync(path.join(dir, 'note.txt'), 'x');
    const history: ChatMessage[] = [...start('TASK-GATED'), { role: 'assistant', content: 'earlier' }, { role: 'user', content: 'again' }];
    const r = await runAgent({ model: model(), tools: builtinTools(dir), messages: history, maxSteps: 2, timeoutMs: 30_000 });
    expect(r.status).toBe('finished');
    expect(server.requests.at(-1)!.conversation.messages.slice(0, 4)).toEqual(history);
  });
});
