import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startScriptedModel, type Conversation } from '@caid/llm/testing';
import { git, taskOf, writesFiles } from './cli-harness.js';
import { afterResume, killedAt, resolvesSharedTxt } from './resume-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Issue 16: the models a resumed run talks to, and how, come from its log: the worker's endpoint
// options (stream, request cap, key variable, reply cap), a resolver model, pricing with a dollar
// budget, request timeouts and retries, and an external agent. Config-file settings are deleted
// before `caid resume <id>` (no flags), so the resumed run can only have them from the log.
let inFlight = 0;
let peak = 0;
const KEY = 'sk-test-resume-not-a-real-key';

function reply(c: Conversation) {
  const id = taskOf(c)!;
  if (c.lastUser.includes('merge conflict')) return resolvesSharedTxt(c);
  if (id === 'left' || id === 'right') return { ...writesFiles({ 'shared.txt': `original\nline from ${id}\n` })(c), delayMs: 100 };
  // $900 a reply at the configured price, and never done.
  if (id === 'endless-priced') return { toolCalls: [{ name: 'list_files', arguments: {} }], delayMs: 20, usage: { prompt_tokens: 900, completion_tokens: 0 } };
  // Slower than the recorded request timeout: only the default (no timeout) would wait for it.
  if (id === 'slow-model') return { ...writesFiles({ 'slow.txt': 'slow\n' })(c), delayMs: 20_000 };
  peak = Math.max(peak, ++inFlight);
  return { ...writesFiles({ [`${id}.txt`]: `${id}\n` })(c), delayMs: 200, onSent: () => { inFlight--; } };
}

const model = scriptedModelForFile([{ when: (c) => Boolean(taskOf(c)), reply }]);

const THREE = 'goal: g\ntasks:\n  - { id: a, prompt: p }\n  - { id: b, prompt: p }\n  - { id: c, prompt: p }\n';
const configFile = (repo: string) => path.join(repo, 'caid.config.yaml');
const IGNORE_CONFIG = { '.gitignore': 'caid.config.yaml\n' };

describe('resume talks to the recorded models as recorded', () => {
  it('worker endpoint: --stream, --max-concurrent-requests 1, --api-key-env and --max-reply-tokens hold after resume', async () => {
    const env = { CAID_TEST_KEY: KEY };
    const r = await killedAt('run.started:1', THREE, [...model.flags(), '--workers', '3', '--stream', '--max-concurrent-requests', '1', '--api-key-env', 'CAID_TEST_KEY', '--max-reply-tokens', '321'], { env });
    const before = model.server.requests.length;
    peak = 0;
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = model.server.requests.slice(before);
    expect(after.length).toBeGreaterThanOrEqual(6);
    for (const q of after) expect(q).toMatchObject({ stream: true, authorization: `Bearer ${KEY}`, maxTokens: 321 });
    // Three agents at once, one request at a time (the default would let all three ask together).
    expect(peak).toBe(1);
  }, 30_000);

  it('models.resolver (config): the resumed run\'s conflict round asks the recorded resolver model', async () => {
    const r = await killedAt('task.merged:1', 'goal: g\ntasks:\n  - { id: left, prompt: p }\n  - { id: right, prompt: p }\n',
      [...model.flags(), '--workers', '2', '--batch-max', '1'], {
        files: { 'shared.txt': 'original\n', ...IGNORE_CONFIG },
        before: (s) => writeFileSync(configFile(s.repo), `models:\n  resolver: { model: resolver-m, baseURL: "${model.server.url}" }\n`),
      });
    rmSync(configFile(r.repo));
    const before = model.server.requests.length;
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    const conflictRound = model.server.requests.slice(before).filter((q) => q.conversation.lastUser.includes('merge conflict'));
    expect(conflictRound.length).toBeGreaterThan(0);
    expect(new Set(conflictRound.map((q) => q.conversation.model))).toEqual(new Set(['resolver-m']));
  }, 30_000);

  it('models.worker.pricing (config) and --budget-usd: the resumed run stops at the recorded dollar budget', async () => {
    const r = await killedAt('task.step:1', 'goal: g\ntasks:\n  - { id: endless-priced, prompt: p }\n', [...model.flags(), '--budget-usd', '2500', '--max-steps', '20'], {
      files: IGNORE_CONFIG,
      before: (s) => writeFileSync(configFile(s.repo), 'models:\n  worker: { pricing: { inputPerMTok: 1000000, outputPerMTok: 0 } }\n'),
    });
    rmSync(configFile(r.repo));
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(afterResume(r.events()).find((e) => e.type === 'run.finished')).toMatchObject({ reason: 'budget' });
  }, 30_000);

  it('models.worker.timeouts and maxRetries (config): a reply slower than the recorded request timeout fails the resumed round', async () => {
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: slow-model, prompt: p }\n', [...model.flags(), '--no-preflight'], {
      files: IGNORE_CONFIG,
      before: (s) => writeFileSync(configFile(s.repo), 'models:\n  worker: { maxRetries: 0, timeouts: { requestMs: 1000 } }\n'),
    });
    rmSync(configFile(r.repo));
    const before = model.server.requests.length;
    const started = Date.now();
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(afterResume(r.events()).find((e) => e.type === 'task.finished')).toMatchObject({ taskId: 'slow-model', status: 'failed', reason: 'model-error' });
    expect(Date.now() - started).toBeLessThan(15_000);
    // maxRetries 0: asked once (the default retries four times).
    expect(model.server.requests.slice(before).filter((q) => taskOf(q.conversation) === 'slow-model')).toHaveLength(1);
  }, 60_000);

  it('agent (--agent-command, config passEnv): the resumed run runs the recorded external agent with the key variable it may see', async () => {
    // A *_API_KEY variable is scrubbed from agents' commands unless passEnv names it.
    const env = { EXT_API_KEY: 'agent-own-key-123' };
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: ext, prompt: p }\n', ['--agent-command', 'test -s {promptFile} && echo "$EXT_API_KEY" > ext.txt'], {
      env,
      files: IGNORE_CONFIG,
      before: (s) => writeFileSync(configFile(s.repo), 'agent: { passEnv: [EXT_API_KEY] }\n'),
    });
    rmSync(configFile(r.repo));
    const before = model.server.requests.length;
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(git(r.repo, 'show', `caid/${r.runId}/integration:ext.txt`)).toBe('agent-own-key-123');
    // The built-in agent never asked a model.
    expect(model.server.requests.length).toBe(before);
  }, 30_000);

  it('provider (--provider openrouter) and capabilities (config contextWindow): the resumed requests carry the preset\'s key variable and the recorded context\'s reply cap', async () => {
    const env = { OPENROUTER_API_KEY: KEY };
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: a, prompt: p }\n', [...model.flags(), '--provider', 'openrouter'], {
      env,
      files: IGNORE_CONFIG,
      before: (s) => writeFileSync(configFile(s.repo), 'models:\n  worker: { capabilities: { contextWindow: 4000 } }\n'),
    });
    rmSync(configFile(r.repo));
    const before = model.server.requests.length;
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = model.server.requests.slice(before);
    expect(after.length).toBeGreaterThan(0);
    // A quarter of a 4,000-token context at most (openrouter's preset says 128,000: 8,192).
    for (const q of after) {
      expect(q.authorization).toBe(`Bearer ${KEY}`);
      expect(q.maxTokens).toBeLessThanOrEqual(1000);
    }
  }, 30_000);

  it('budget.tokens: the resumed run stops at the recorded token budget, counting the first session', async () => {
    const r = await killedAt('task.step:1', 'goal: g\ntasks:\n  - { id: endless-priced, prompt: p }\n', [...model.flags(), '--budget-tokens', '2500', '--max-steps', '20']);
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(afterResume(r.events()).find((e) => e.type === 'run.finished')).toMatchObject({ reason: 'budget' });
  }, 30_000);

  it('agent.timeoutMin (config): the resumed external agent is cut at the recorded 3 s (the default is the task timeout, 30 min)', async () => {
    const r = await killedAt('run.started:1', 'goal: g\ntasks:\n  - { id: ext-slow, prompt: p }\n', ['--agent-command', 'test -s {promptFile} && sleep 30'], {
      files: IGNORE_CONFIG,
      before: (s) => writeFileSync(configFile(s.repo), 'agent: { timeoutMin: 0.05 }\n'),
    });
    rmSync(configFile(r.repo));
    const started = Date.now();
    const resumed = await r.resume();
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(afterResume(r.events()).find((e) => e.type === 'task.finished')).toMatchObject({ taskId: 'ext-slow', status: 'failed', reason: 'time-limit' });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('a --base-url given to resume overrides the recorded one, is logged as changed, and the rest stays as recorded', async () => {
    const moved = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply }] });
    try {
      const r = await killedAt('run.started:1', THREE, [...model.flags(), '--stream']);
      const before = model.server.requests.length;
      const resumed = await r.resume(['--base-url', moved.url]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/changed: models\.worker\.baseURL/);
      expect(r.events().find((e) => e.type === 'run.resumed')).toMatchObject({ changed: ['models.worker.baseURL'], settings: { models: { worker: { baseURL: moved.url, model: 'scripted-m', stream: true } } } });
      expect(model.server.requests.length).toBe(before);
      expect(moved.requests.length).toBeGreaterThan(0);
      for (const q of moved.requests) expect(q).toMatchObject({ stream: true, conversation: { model: 'scripted-m' } });
    } finally {
      await moved.close();
    }
  }, 30_000);
});
