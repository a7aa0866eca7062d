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
