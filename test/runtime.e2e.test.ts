import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, removeTemps, taskOf, writesFiles } from './cli-harness.js';
import { runFolder, runIn, setup, statusOf } from './runtime-harness.js';

const KEY = 'sk-runtime-e2e-secret-0123456789abcdef';
const REDIS_PW = 'redis-password-should-not-leak';
const usage = { prompt_tokens: 1000, completion_tokens: 100 };
let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      {
        when: (c) => c.lastUser.includes('merge conflict'),
        reply: (c) => [call('write_file', { path: 'shared.txt', content: 'left\nright\n' }), call('finish', { summary: 'kept both' })][Math.min(c.stepInRound, 1)]!,
      },
      { when: (c) => taskOf(c) === 'left', reply: writesFiles({ 'shared.txt': 'left\n' }) },
      { when: (c) => taskOf(c) === 'right', reply: (c) => ({ ...writesFiles({ 'shared.txt': 'right\n' })(c), delayMs: 300 }) },
      { when: (c) => taskOf(c) === 'echoed-key', reply: { status: 401, error: `Incorrect API key provided: ${KEY}. You can find your key at ...` } },
      { when: (c) => taskOf(c) === 'prints-env', reply: (c) => [call('run', { command: 'env; echo "home=$HOME"' }), call('write_file', { path: 'env-done.txt', content: 'x\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 2)]! },
      { when: (c) => taskOf(c) === 'b-second', reply: (c) => ({ ...[call('write_file', { path: 'b.txt', content: 'b\n' }), call('run', { command: 'true' }), call('run', { command: 'true' }), call('finish', { summary: 'b' })][Math.min(c.stepInRound, 3)]!, usage }) },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => ({ ...writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c), usage }) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('run budget', () => {
  it('stops dispatching, stops the running agent after its step, ends failed with reason budget; merged work stays', async () => {
    const s = setup('goal: budget\ntasks:\n' + ['a-first', 'b-second', 'c-third', 'd-fourth'].map((id) => `  - { id: ${id}, prompt: make ${id} }\n`).join(''));
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--workers', '1', '--budget-tokens', '2500']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.summary).toMatchObject({ status: 'failed', reason: 'budget' });
    expect(statusOf(r.summary)).toEqual({ 'a-first': 'merged', 'b-second': 'failed', 'c-third': 'failed', 'd-fourth': 'failed' });
    expect(r.stderr).toMatch(/run stopped early \(budget\): token budget reached: \d+ of 2500 tokens used/);
    expect(git(s.repo, 'show', `${r.summary.branch}:a-first.txt`)).toBe('a-first');
    // b stopped after its current step: one model call, not all four; its partial work is on its branch
    const b = readFileSync(path.join(runFolder(s.repo), 'tasks/b-second.jsonl'), 'utf8');
    expect(b.match(/"role":"assistant"/g)).toHaveLength(1);
    expect(git(s.repo, 'show', `caid/${r.summary.runId}/tasks/b-second:b.txt`)).toBe('b');
    const events = readFileSync(path.join(runFolder(s.repo), 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'task.started').map((e) => e.taskId)).toEqual(['a-first', 'b-second', 'c-third', 'd-fourth']);
    expect(events.filter((e) => e.type === 'task.failed').map((e) => e.reason)).toEqual([expect.stringMatching(/^budget/), expect.stringMatching(/^budget/), expect.stringMatching(/^budget/)]);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed', reason: 'budget' });
  });

  it('--budget-usd stops a run priced by the config', async () => {
    const s = setup('goal: usd\ntasks:\n  - { id: b-second, prompt: p }\n', {
      'caid.config.json': JSON.stringify({ models: { worker: { baseURL: model.url, model: 'priced', pricing: { inputPerMTok: 1000, outputPerMTok: 1000 } } } }),
    });
    const r = await runIn(s, ['--budget-usd', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.summary).toMatchObject({ status: 'failed', reason: 'budget', tasks: [{ id: 'b-second', status: 'failed' }] });
    expect(r.summary.usage.costUsd).toBeCloseTo(1.1);
    expect(r.stderr).toMatch(/cost budget reached: \$1\.1000 of \$1 spent/);
  });
});

describe('per-endpoint request limit', () => {
  it('--max-concurrent-requests keeps requests in flight at the limit however many workers run', async () => {
    const slow = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => ({ ...writesFiles({ [`${taskOf(c)}.txt`]: 'x\n' })(c), delayMs: 500 }) }] });
    try {
      const plan = 'goal: g\ntasks:\n' + ['p1', 'p2', 'p3'].map((id) => `  - { id: ${id}, prompt: p }\n`).join('');
      const free = await runIn(setup(plan), ['--model', 'm', '--base-url', slow.url, '--workers', '3']);
      expect(free.code, free.stderr).toBe(0);
      expect(slow.peakInFlight).toBeGreaterThan(1);
      const limitedServer = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => ({ ...writesFiles({ [`${taskOf(c)}.txt`]: 'x\n' })(c), delayMs: 500 }) }] });
      try {
        const limited = await runIn(setup(plan), ['--model', 'm', '--base-url', limitedServer.url, '--workers', '3', '--max-concurrent-requests', '1']);
        expect(limited.code, limited.stderr).toBe(0);
        expect(limitedServer.requests.length).toBeGreaterThanOrEqual(6);
        expect(limitedServer.peakInFlight).toBe(1);
      } finally {
        await limitedServer.close();
      }
    } finally {
      await slow.close();
    }
  });
});

describe('per-task token limit', () => {
  it('spans the rounds of a task: a send-back gets only what is left', async () => {
    const s = setup('goal: t\nverify: test -f never.txt\ntasks:\n  - { id: tok, prompt: p }\n');
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--task-tokens', '3000']);
    expect(r.code, r.stderr).toBe(1);
    const finished = readFileSync(path.join(runFolder(s.repo), 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'task.finished');
    expect(finished.map((e) => [e.status, e.reason, e.steps])).toEqual([['done', undefined, 2], ['failed', 'token-limit', 1]]);
    expect(finished[1].message).toMatch(/1100 tokens used; the limit is 800/);
  });
});

describe('config, providers and secrets', () => {
  it('reads the worker model from caid.config.yaml and keeps the key out of .caid/, errors and the agent environment', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: prints-env, prompt: p }\n  - { id: echoed-key, prompt: p }\n', {
      'caid.config.yaml': `models:\n  worker:\n    baseURL: ${model.url}\n    model: cfg-model\n    apiKeyEnv: MY_PROVIDER_KEY\n    maxConcurrentRequests: 1\n`,
      'AGENTS.md': 'HOUSE RULE 42: tabs, never spaces.\n',
    });
    const r = await runIn(s, [], { MY_PROVIDER_KEY: KEY, REDIS_URL: `redis://:${REDIS_PW}@127.0.0.1:6379` });
    expect(r.code, r.stderr).toBe(1);
    expect(statusOf(r.summary)).toEqual({ 'prints-env': 'merged', 'echoed-key': 'failed' });
    const mine = model.requests.filter((q) => q.conversation.model === 'cfg-model');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((q) => q.authorization === `Bearer ${KEY}`)).toBe(true);
    // repository instructions reach the system prompt
    expect(mine[0]!.conversation.messages[0]!.content).toMatch(/# Repository instructions[\s\S]*From AGENTS\.md[\s\S]*HOUSE RULE 42/);
    const transcript = readFileSync(path.join(runFolder(s.repo), 'tasks/prints-env.jsonl'), 'utf8');
    expect(transcript).toContain('PATH=');
    expect(transcript).toMatch(new RegExp(`home=${s.wt}/${r.summary.runId}/\\.scratch/prints-env/home`));
    expect(transcript).not.toContain('REDIS_URL');
    const events = readFileSync(path.join(runFolder(s.repo), 'events.jsonl'), 'utf8');
    expect(events).toMatch(/model-error: .*Incorrect API key provided/);
    for (const secret of [KEY, REDIS_PW]) {
      const grep = spawnSync('grep', ['-r', '-l', secret, s.dir], { encoding: 'utf8' });
      expect(grep.stdout).toBe('');
      expect(r.stderr).not.toContain(secret);
    }
  });

  it.each([
    ['an invalid config', { 'caid.config.yaml': 'models:\n  worker:\n    apiKeyEnv: sk-abc123\n    timeouts: { headersMs: -1 }\nbogus: 1\n' }, [], {}, /invalid config in .*caid\.config\.yaml:[\s\S]*models\.worker\.apiKeyEnv: apiKeyEnv is the NAME[\s\S]*models\.worker\.timeouts\.headersMs[\s\S]*bogus/],
    ['a provider without its key', {}, ['--provider', 'openrouter', '--model', 'x'], {}, /openrouter\.ai needs an API key: set OPENROUTER_API_KEY/],
    ['an unknown provider', {}, ['--provider', 'foo', '--model', 'x'], {}, /unknown provider "foo"; use one of openai, openrouter, ollama/],
    ['an agent command without {promptFile}', {}, ['--agent-command', 'aider'], {}, /--agent-command must contain \{promptFile\}/],
    ['a negative budget', {}, ['--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--budget-usd', '-1'], {}, /--budget-usd takes a positive number/],
    ['a replay folder that does not exist', {}, ['--replay', '/nonexistent/rec'], {}, /--replay: no recording at \/nonexistent\/rec/],
  ])('%s is bad input: exit 2, nothing written', async (_name, files, args, env, message) => {
    const s = setup('goal: g\ntasks:\n  - { id: a, prompt: p }\n', files);
    const r = await runIn(s, args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(path.join(s.repo, '.caid'))).toBe(false);
    expect(existsSync(s.wt)).toBe(false);
  });

  it('refuses to start when --sandbox bwrap is asked for and bubblewrap is missing', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: a, prompt: p }\n');
    const bin = path.join(s.dir, 'bin');
    mkdirSync(bin);
    const gitPath = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(gitPath, path.join(bin, 'git'));
    const r = await runIn(s, ['--model', 'm', '--base-url', model.url, '--sandbox', 'bwrap'], { PATH: bin });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sandbox "bwrap" was asked for, but bubblewrap is not installed \(Debian\/Ubuntu: apt-get install bubblewrap.*will not run agent commands unconfined/);
    expect(existsSync(path.join(s.repo, '.caid'))).toBe(false);
  });
});

describe('roles', () => {
  it('a conflict round uses the resolver model from the config; usage and model time are counted per role', async () => {
    const s = setup('goal: g\ntasks:\n  - { id: left, prompt: p }\n  - { id: right, prompt: p }\n', {
      'shared.txt': 'base\n',
      'caid.config.yaml': `models:\n  worker: { baseURL: "${model.url}", model: w-model }\n  resolver: { model: r-model, pricing: { inputPerMTok: 1000, outputPerMTok: 1000 } }\n`,
    });
    const r = await runIn(s, []);
    expect(r.code, r.stderr).toBe(0);
    expect(git(s.repo, 'show', `${r.summary.branch}:shared.txt`)).toBe('left\nright');
    const conflictRequests = model.requests.filter((q) => q.conversation.firstUser.includes('# Task right') && q.conversation.lastUser.includes('merge conflict'));
    expect(conflictRequests.map((q) => q.conversation.model)).toEqual(['r-model', 'r-model']);
    const finished = readFileSync(path.join(runFolder(s.repo), 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'task.finished');
    expect(finished.map((e) => e.role)).toEqual(['worker', 'worker', 'resolver']);
    expect(finished.every((e) => typeof e.modelMs === 'number')).toBe(true);
    expect(r.stderr).toMatch(/ {2}worker: \d+ in \/ \d+ out, \$0\.0000, [\d.]+ s waiting for the model/);
    expect(r.stderr).toMatch(/ {2}resolver: \d+ in \/ \d+ out, \$(?!0\.0000)[\d.]+, [\d.]+ s waiting for the model/);
  });
});
