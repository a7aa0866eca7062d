import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Conversation, startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { removeTemps } from '../cli-harness.js';
import { runFolder, runIn, setup, statusOf } from '../runtime-harness.js';
import { CLI_BIN, CLI_TOOLS, cliAvailable } from './agent-cli-harness.js';

// claude speaks Anthropic Messages and streams every reply: its traffic goes through the endpoint's
// live stream (Messages SSE translated from the scripted chat-completions stream).
const PRESET = 'claude';
const USAGE = { prompt_tokens: 900, completion_tokens: 100 };
const RAMBLE = 'and then it went on, '.repeat(380);
let rambleFinished = false;
const taskIn = (c: Conversation) => /^# Task ([a-z0-9-]+)/m.exec(c.messages.map((m) => m.content ?? '').join('\n'))?.[1];

describe.skipIf(!cliAvailable(PRESET))(`${PRESET}: --budget-tokens stops a run whose agent is the real CLI`, () => {
  let model: ScriptedModelServer;
  beforeAll(async () => {
    // The model never finishes on its own: it keeps asking for one more command, so only the budget ends the task.
    model = await startScriptedModel({
      rules: [
        // A runaway reply: ~2,000 tokens of text, one 16-character piece every 2 ms; it is never sent whole.
        { name: 'runaway', when: (c) => c.tools.length > 0 && taskIn(c) === 'ramble', reply: { content: RAMBLE, chunkDelayMs: 2, usage: USAGE, onSent: () => void (rambleFinished = true) } },
        { name: 'busy', when: (c) => c.tools.length > 0, reply: (c) => ({ toolCalls: [CLI_TOOLS[PRESET].shell(`echo step ${c.messages.length}`)], usage: USAGE }) },
      ],
      // Small, so a CLI's own side requests (titles) do not spend the budget before the runaway reply.
      fallback: (c) => ({ content: 'caid task', usage: taskIn(c) === 'ramble' ? { prompt_tokens: 1, completion_tokens: 1 } : USAGE }),
    });
  });
  afterAll(async () => {
    await model?.close();
    removeTemps();
  });

  it("the CLI's requests spend the budget, the endpoint refuses the next one, the run ends with reason budget and the ledger holds exactly the upstream's usage", async () => {
    const s = setup('goal: budget\ntasks:\n  - { id: spend, prompt: keep going }\n  - { id: later, prompt: p, dependsOn: [spend] }\n');
    const env = { PATH: `${CLI_BIN}:${process.env.PATH}`, OPENAI_API_KEY: 'sk-user-budget-e2e-0123456789abcdef' };
    const r = await runIn(s, ['--agent', PRESET, '--model', 'scripted', '--base-url', model.url, '--budget-tokens', '2500', '--workers', '1'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.summary.reason).toBe('budget');
    expect(statusOf(r.summary)).toMatchObject({ spend: expect.not.stringMatching(/^merged$/), later: expect.not.stringMatching(/^merged$/) });
    // Every request the upstream answered cost 1,000 tokens; refused ones never reached it. The
    // budget of 2,500 is passed after the third, so at least three went through.
    // claude streams every reply, so each went through the endpoint's live stream (which streams upstream only then).
    expect(model.requests.filter((q) => q.rule === 'busy').map((q) => q.stream)).toEqual(model.requests.filter((q) => q.rule === 'busy').map(() => true));
    const served = model.requests.length;
    expect(served).toBeGreaterThanOrEqual(3);
    expect(r.summary.usage).toMatchObject({ inputTokens: served * USAGE.prompt_tokens, outputTokens: served * USAGE.completion_tokens });
    // Every reply reported its usage: nothing in the ledger is an estimate.
    expect(r.summary.usage.estimated).toBeUndefined();
    const transcript = readFileSync(path.join(runFolder(s.repo), 'tasks/spend.jsonl'), 'utf8');
    expect(transcript).toMatch(/budget/);
  }, 600_000);

  it('a reply that runs past the budget is cut mid-stream: the CLI sees the reply end, the upstream is aborted, what streamed is counted', async () => {
    const s = setup('goal: ramble\ntasks:\n  - { id: ramble, prompt: say a lot }\n');
    const env = { PATH: `${CLI_BIN}:${process.env.PATH}`, OPENAI_API_KEY: 'sk-user-budget-e2e-0123456789abcdef' };
    const before = model.requests.length;
    const r = await runIn(s, ['--agent', PRESET, '--model', 'scripted', '--base-url', model.url, '--budget-tokens', '500', '--workers', '1'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.summary.reason).toBe('budget');
    const rambles = model.requests.slice(before).filter((q) => q.rule === 'runaway');
    expect(rambles).toHaveLength(1);
    expect(rambleFinished).toBe(false);
    // Counted as estimated: the prompt the server read and the ~256+ tokens that streamed, not the scripted 1,000.
    expect(r.summary.usage.outputTokens).toBeGreaterThanOrEqual(256);
    expect(r.summary.usage.outputTokens).toBeLessThan(Math.ceil(RAMBLE.length / 4));
    // ... and the ledger says so (the summary's usage; the human line adds 'partly estimated').
    expect(r.summary.usage.estimated).toBe(true);
  }, 600_000);
});
