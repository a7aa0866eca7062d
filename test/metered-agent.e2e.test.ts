import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { git, removeTemps, taskOf } from './cli-harness.js';
import { runFolder, runIn, setup, statusOf } from './runtime-harness.js';

// An external agent CLI (a node script speaking HTTP) run by the real `caid run`, pointed at caid's
// metering endpoint: the scripted upstream plays the worker's model.
const KEY = 'sk-metered-e2e-user-key-0123456789abcdef';
const agent = path.resolve(__dirname, 'fixtures/fake-metered-agent.mjs');
const USAGE = { prompt_tokens: 900, completion_tokens: 100 };
let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => c.lastToolResult?.startsWith('wrote') ?? false, reply: { content: 'all written', usage: USAGE } },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => ({ toolCalls: [{ name: 'write_file', arguments: { path: `${taskOf(c)}.txt`, content: `${taskOf(c)} via the endpoint\n` } }], usage: USAGE }) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const config = 'agent:\n  passEnv: [OPENAI_API_KEY]\n';

describe('external agent through the metering endpoint', () => {
  it.each(['chat', 'anthropic'])('%s: the CLI edits through the endpoint, its tokens count, and the key never reaches it', async (protocol) => {
    const s = setup('goal: m\ntasks:\n  - { id: met-one, prompt: create met-one.txt }\n', { 'caid.config.yaml': config });
    const before = model.requests.length;
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--agent-command', `node ${agent} {promptFile}`], { OPENAI_API_KEY: KEY, FAKE_PROTOCOL: protocol });
    expect(r.code, r.stderr).toBe(0);
    expect(git(s.repo, 'show', `${r.summary.branch}:met-one.txt`)).toBe('met-one via the endpoint');
    // Two model requests of 1,000 tokens each, forwarded upstream with the user's key.
    expect(r.summary.usage).toMatchObject({ inputTokens: 1800, outputTokens: 200 });
    const served = model.requests.slice(before);
    expect(served.map((q) => q.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
    const dump = git(s.repo, 'show', `${r.summary.branch}:agent-dump.json`);
    expect(dump).not.toContain(KEY);
    expect(JSON.parse(dump).env.CAID_ENDPOINT_TOKEN).toMatch(/^caid-[0-9a-f]{48}$/);
    expect(readFileSync(path.join(runFolder(s.repo), 'tasks/met-one.jsonl'), 'utf8')).toContain('model said: all written');
  });

  it('--budget-tokens stops a run whose agent is an external CLI: the endpoint refuses, the CLI stops, later tasks never start', async () => {
    const plan = 'goal: b\ntasks:\n  - { id: bud-one, prompt: p }\n  - { id: bud-two, prompt: p, dependsOn: [bud-one] }\n';
    const s = setup(plan, { 'caid.config.yaml': config });
    const before = model.requests.length;
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--agent-command', `node ${agent} {promptFile}`, '--budget-tokens', '500', '--workers', '1'], { OPENAI_API_KEY: KEY });
    expect(r.code).toBe(1);
    expect(r.summary.reason).toBe('budget');
    // The first request spent 1,000 tokens; the second was refused before it went upstream.
    expect(model.requests.length - before).toBe(1);
    expect(r.summary.usage).toMatchObject({ inputTokens: 900, outputTokens: 100 });
    expect(statusOf(r.summary)['bud-two']).not.toBe('merged');
    expect(readFileSync(path.join(runFolder(s.repo), 'tasks/bud-one.jsonl'), 'utf8')).toMatch(/endpoint said 400:.*budget/);
  });

  it('--record records the CLI\'s model traffic and --replay serves it without the model server', async () => {
    const plan = 'goal: rr\ntasks:\n  - { id: rec-one, prompt: create rec-one.txt }\n';
    const first = setup(plan, { 'caid.config.yaml': config });
    const rec = path.join(first.dir, 'recording');
    const recorded = await runIn(first, ['--model', 'm', '--base-url', model.url, '--agent-command', `node ${agent} {promptFile}`, '--record', rec], { OPENAI_API_KEY: KEY });
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(readdirSync(rec)).toHaveLength(2);
    expect(readdirSync(rec).map((f) => readFileSync(path.join(rec, f), 'utf8')).join('')).not.toContain(KEY);
    const served = model.requests.length;
    const second = setup(plan, { 'caid.config.yaml': config });
    const replayed = await runIn(second, ['--replay', rec, '--agent-command', `node ${agent} {promptFile}`]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(model.requests.length).toBe(served);
    expect(git(second.repo, 'show', `${replayed.summary.branch}:rec-one.txt`)).toBe('rec-one via the endpoint');
    expect(replayed.summary.usage).toEqual(recorded.summary.usage);
  });
});
