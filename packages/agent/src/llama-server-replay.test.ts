import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiCompatible, type ChatMessage } from '@caid/llm';
import { loadExchanges, startReplayServer, type ReplayServer } from '@caid/llm/testing';
import { runAgent } from './run-agent.js';
import { builtinTools } from './builtin-tools.js';

// Real llama-server bytes (packages/llm/fixtures/llama-server, see its README), replayed over HTTP.
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../llm/fixtures/llama-server');
const recorded = (file: string, pick?: number[]) => loadExchanges(path.join(fixtures, file), pick);

let server: ReplayServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const start: ChatMessage[] = [{ role: 'system', content: 'sys' }, { role: 'user', content: 'Implement sub in src/bor.js' }];
async function run(exchanges: ReturnType<typeof recorded>) {
  server = await startReplayServer(exchanges);
  dir = mkdtempSync(path.join(os.tmpdir(), 'caid-llama-replay-'));
  const model = openaiCompatible({ baseURL: server.url, model: 'caid-fixture', retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  return runAgent({ model, tools: builtinTools(dir), messages: start, maxSteps: 8, timeoutMs: 60_000 });
}

describe('runAgent against recorded llama-server replies', () => {
  it('condenses and goes on after llama-server\'s 400 exceed_context_size_error', async () => {
    const r = await run([...recorded('proxy-ctx.jsonl'), ...recorded('trained-finish.jsonl')]);
    expect(r).toMatchObject({ status: 'finished' });
    expect(readFileSync(path.join(dir!, 'src/bor.js'), 'utf8')).toContain('return a | b');
    // write_file, run, the refused request, then the condensed retry that finished.
    expect(server!.requests).toHaveLength(4);
    expect(server!.requests[3]).toMatch(/removed to (save|fit)/);
  }, 60_000);

  it('feeds llama-server\'s 500 peg-native format error back to the model instead of retrying it', async () => {
    const r = await run([...recorded('peg-native-500.jsonl'), ...recorded('trained-finish.jsonl')]);
    expect(r).toMatchObject({ status: 'finished' });
    // One refused request and one answered: no retries of the 500.
    expect(server!.requests).toHaveLength(2);
    // The refused request's prompt is estimated and counted on top of the 1,394 the finish reply reported.
    expect(r.usage.inputTokens).toBeGreaterThan(1_394);
    expect(server!.requests[1]).toContain('could not parse your last reply');
  }, 60_000);
});

const completions = () => server!.requests.filter((r) => r !== '');

describe("runAgent with llama-server's real n_ctx, and the usage of cut requests", () => {
  it('condenses before the request that overflowed, once /props said n_ctx is 1,280 (not the preset\'s 32,768)', async () => {
    // The conversation as it stood before the recorded 400 (1,393 tokens against 1,280), continued here.
    const before = (JSON.parse(recorded('proxy-ctx.jsonl', [2])[0]!.req!) as { messages: ChatMessage[] }).messages;
    // The condensed request fits, so it is answered with a recorded finish rather than the recorded refusal.
    server = await startReplayServer([...recorded('props-n-ctx-1280.jsonl'), ...recorded('trained-finish.jsonl')]);
    dir = mkdtempSync(path.join(os.tmpdir(), 'caid-llama-replay-'));
    const model = openaiCompatible({ baseURL: server.url, model: 'caid-fixture-nctx', contextProbe: 'llamacpp', capabilities: { contextWindow: 32_768 }, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const r = await runAgent({ model, tools: builtinTools(dir), messages: before, maxSteps: 8, timeoutMs: 60_000 });
    expect(r).toMatchObject({ status: 'finished' });
    expect(model.contextWindow).toBe(1_280);
    const sent = completions().map((b) => JSON.parse(b) as { messages: ChatMessage[]; max_tokens: number });
    // The request that overflowed went out already condensed, with a reply bounded by what 1,280 tokens leave.
    expect(JSON.stringify(sent[0]!.messages)).toMatch(/removed to fit the context window/);
    expect(sent[0]!.messages.length).toBeLessThan(before.length);
    for (const b of sent) expect(b.max_tokens).toBeLessThanOrEqual(320);
  }, 60_000);

  it('counts the prompt of a request llama-server never answered (random weights generating until cut off)', async () => {
    server = await startReplayServer(recorded('random-aborted.jsonl'));
    dir = mkdtempSync(path.join(os.tmpdir(), 'caid-llama-replay-'));
    const model = openaiCompatible({ baseURL: server.url, model: 'tiny', maxRetries: 0 });
    const r = await runAgent({ model, tools: builtinTools(dir), messages: start, maxSteps: 8, timeoutMs: 1_000 });
    expect(r.status).toBe('time-limit');
    const prompt = completions()[0]!;
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.usage.inputTokens).toBeLessThanOrEqual(Math.ceil(prompt.length / 4));
  }, 60_000);

  it('a run budget stops a runaway streamed generation mid-reply and counts what streamed', async () => {
    server = await startReplayServer(recorded('runaway-stream.jsonl'));
    dir = mkdtempSync(path.join(os.tmpdir(), 'caid-llama-replay-'));
    const model = openaiCompatible({ baseURL: server.url, model: 'caid-fixture', stream: true, maxRetries: 0 });
    // The CLI's budget watch in small: workers report usage, the run stops once 1,500 tokens are spent.
    const budget = 1_500;
    let spent = 0;
    const reports: number[] = [];
    const r = await runAgent({
      model, tools: builtinTools(dir), messages: start, maxSteps: 8, timeoutMs: 60_000,
      onStep: (s) => { spent = s.usage.inputTokens + s.usage.outputTokens; reports.push(spent); },
      shouldStop: () => (spent >= budget ? `budget of ${budget} tokens reached` : undefined),
    });
    expect(r).toMatchObject({ status: 'stopped', message: 'budget of 1500 tokens reached' });
    // Stopped about one report (256 tokens, plus chunks already received when the cut lands) past
    // the budget, far short of the 4,442 tokens the reply streams in full.
    const total = r.usage.inputTokens + r.usage.outputTokens;
    expect(total).toBeGreaterThanOrEqual(budget);
    expect(total).toBeLessThan(budget + 512);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThan(1);
    expect(completions()).toHaveLength(1);
  }, 60_000);
});
