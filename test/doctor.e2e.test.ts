import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, runCli, tempDir } from './cli-harness.js';

// `caid doctor` against real scripted model servers: one with native tool calls, one that only
// answers in text (the JSON-block fallback), one that never calls a tool, and a dead port.
const doctorAsked = (c: { firstUser: string }) => c.firstUser.startsWith('caid doctor');
let native: ScriptedModelServer;
let textOnly: ScriptedModelServer;
let never: ScriptedModelServer;
let repo: string;
let dir: string;
beforeAll(async () => {
  native = await startScriptedModel({ rules: [{ when: (c) => doctorAsked(c) && c.tools.includes('ping'), reply: { toolCalls: [{ name: 'ping', arguments: {} }] } }] });
  // Tools offered natively get prose; tools described in the system message get a JSON block.
  textOnly = await startScriptedModel({ rules: [{ when: (c) => doctorAsked(c) && c.tools.length === 0, reply: { content: '```json\n{"tool": "ping", "arguments": {}}\n```' } }], fallback: { content: 'pong' } });
  never = await startScriptedModel({ rules: [], fallback: { content: 'I cannot call tools.' } });
  dir = tempDir();
  repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
});
afterAll(async () => {
  await Promise.all([native.close(), textOnly.close(), never.close()]);
  removeTemps();
});

type Report = { ok: boolean; checks: { name: string; ok: boolean; required: boolean; detail: string; fix?: string }[] };
const doctor = async (baseURL: string, extra: string[] = [], env: Record<string, string> = {}) => {
  const r = await runCli(['doctor', '--repo', repo, '--model', 'scripted', '--base-url', baseURL, '--worktree-root', path.join(dir, 'wt'), '--json', ...extra], { env });
  return { ...r, report: JSON.parse(r.stdout) as Report };
};
const check = (r: Report, name: string) => r.checks.find((c) => c.name === name);

describe('caid doctor', () => {
  it('is green with a server that calls tools natively, and says so in one line each', async () => {
    const r = await doctor(native.url);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report.ok).toBe(true);
    expect(check(r.report, 'git')).toMatchObject({ ok: true, detail: expect.stringMatching(/^git \d+\.\d+/) });
    expect(check(r.report, 'repository')).toMatchObject({ ok: true });
    expect(check(r.report, 'worktree root')).toMatchObject({ ok: true });
    expect(check(r.report, 'model worker')).toMatchObject({ ok: true, detail: expect.stringContaining('answers') });
    expect(check(r.report, 'model worker tools')).toMatchObject({ ok: true, detail: 'native tool calls' });
    expect(check(r.report, 'redis')).toBeUndefined(); // no queue configured
    const text = await runCli(['doctor', '--repo', repo, '--model', 'scripted', '--base-url', native.url, '--worktree-root', path.join(dir, 'wt')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^✔ model worker tools +native tool calls$/m);
    expect(text.stdout).toMatch(/caid is ready to run here/);
  }, 60_000);

  it('checks a worktree root that is not there yet without creating it (a diagnostic changes nothing)', async () => {
    const root = path.join(dir, 'not-yet', 'worktrees');
    const r = await runCli(['doctor', '--repo', repo, '--model', 'scripted', '--base-url', native.url, '--worktree-root', root, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(check(JSON.parse(r.stdout) as Report, 'worktree root')).toMatchObject({ ok: true, detail: `${root} (not there yet; caid creates it in ${dir}) is writable` });
    expect(existsSync(path.join(dir, 'not-yet'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.caid-doctor-'))).toEqual([]);
    // Where nothing can be written, it fails with what to do.
    const bad = await runCli(['doctor', '--repo', repo, '--model', 'scripted', '--base-url', native.url, '--worktree-root', path.join(repo, 'a.txt', 'wt'), '--json']);
    expect(bad.code).toBe(1);
    expect(check(JSON.parse(bad.stdout) as Report, 'worktree root')).toMatchObject({ ok: false, detail: expect.stringContaining('a.txt is not a folder'), fix: expect.stringContaining('--worktree-root') });
  }, 60_000);

  it('never sends OPENAI_API_KEY to a server whose key variable is named and unset (the run would not either)', async () => {
    const keys = () => [...native.gets, ...native.requests].map((q) => q.authorization ?? '');
    const before = keys().length;
    const r = await doctor(native.url, ['--api-key-env', 'CAID_TEST_PROVIDER_KEY'], { OPENAI_API_KEY: 'sk-openai-not-for-this-server-1234' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(native.gets.some((g) => g.path.endsWith('/models'))).toBe(true);
    const sent = keys().slice(before);
    expect(sent.length).toBeGreaterThan(1); // the model list and the tool-call probe
    for (const k of sent) expect(k).not.toContain('sk-openai-not-for-this-server');
    // ... while the named variable's key is what it sends when it is set, on every probe.
    const gets = native.gets.length;
    await doctor(native.url, ['--api-key-env', 'CAID_TEST_PROVIDER_KEY'], { CAID_TEST_PROVIDER_KEY: 'sk-provider-5678', OPENAI_API_KEY: 'sk-openai-not-for-this-server-1234' });
    expect(native.gets.slice(gets).map((g) => g.authorization)).toContain('Bearer sk-provider-5678');
  }, 60_000);

  it("reports the context window the server runs with: llama-server's /props n_ctx", async () => {
    const llama = await startScriptedModel({
      rules: [{ when: (c) => doctorAsked(c) && c.tools.includes('ping'), reply: { toolCalls: [{ name: 'ping', arguments: {} }] } }],
      getJson: { '/props': { default_generation_settings: { n_ctx: 6144 } } },
    });
    try {
      const r = await doctor(llama.url);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(check(r.report, 'model worker context')).toMatchObject({ ok: true, required: false, detail: expect.stringMatching(/^6144 tokens \(.*\)$/) });
      const text = await runCli(['doctor', '--repo', repo, '--model', 'scripted', '--base-url', llama.url, '--worktree-root', path.join(dir, 'wt')]);
      expect(text.stdout).toMatch(/^✔ model worker context +6144 tokens/m);
    } finally {
      await llama.close();
    }
    // a server that reports nothing: the line says so, and the preset's figure is assumed
    const plain = await doctor(native.url);
    expect(check(plain.report, 'model worker context')?.detail).toMatch(/not reported by the server/);
  }, 60_000);

  it('reports the JSON-block fallback, and fails (exit 1) for a model that calls no tool', async () => {
    const fallback = await doctor(textOnly.url);
    expect(fallback.code).toBe(0);
    expect(check(fallback.report, 'model worker tools')?.detail).toMatch(/^JSON-block fallback/);
    const none = await doctor(never.url);
    expect(none.code).toBe(1);
    expect(check(none.report, 'model worker tools')).toMatchObject({ ok: false, required: true, fix: expect.stringContaining('--jinja') });
  }, 60_000);

  it('fails each required check with what to do: dead port, Redis, no repository, no model', async () => {
    const dead = await doctor('http://127.0.0.1:9/v1', ['--queue', 'redis://127.0.0.1:9']);
    expect(dead.code).toBe(1);
    expect(check(dead.report, 'model worker')).toMatchObject({ ok: false, required: true, detail: expect.stringContaining('no answer at http://127.0.0.1:9/v1'), fix: expect.stringContaining('--base-url') });
    expect(check(dead.report, 'redis')).toMatchObject({ ok: false, required: true, fix: expect.stringContaining('REDIS_URL') });
    // The advice is said once (after the arrow), and names nothing that only exists in caid's checkout.
    expect(check(dead.report, 'redis')!.detail).not.toMatch(/start it|infra\//);
    expect(check(dead.report, 'redis')!.fix).toContain('docker run -d -p 6379:6379 redis');
    const outside = await runCli(['doctor', '--repo', dir, '--json', '--worktree-root', path.join(dir, 'wt')], { env: {} });
    expect(outside.code).toBe(1);
    const report = JSON.parse(outside.stdout) as Report;
    expect(check(report, 'repository')).toMatchObject({ ok: false, fix: expect.stringContaining('--repo') });
    expect(check(report, 'model worker')).toMatchObject({ ok: false, detail: 'no model named', fix: expect.stringContaining('caid init') });
    const text = await runCli(['doctor', '--repo', dir, '--worktree-root', path.join(dir, 'wt')]);
    expect(text.stdout).toMatch(/^✖ model worker +no model named → pass --model NAME/m);
    expect(text.stdout).toMatch(/required checks failed/);
  }, 60_000);
});
