import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { v1OnlyServer } from './v1-only-server.js';

// Issue 18: `--base-url http://127.0.0.1:11434` (no /v1) against a server that, like Ollama, vLLM
// and LM Studio, serves the OpenAI API only under /v1. The user is told the URL that works.
let model: ScriptedModelServer;
let server: Awaited<ReturnType<typeof v1OnlyServer>>;
let dir: string;
let repo: string;
let plan: string;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => c.tools.includes('submit_plan'), reply: () => call('submit_plan', { goal: 'g', tasks: [{ id: 'a', title: 'A', prompt: 'p', dependsOn: [], files: [] }] }) },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
    ],
    fallback: call('ping', {}),
  });
  server = await v1OnlyServer(model.url);
  dir = tempDir();
  repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
  plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, 'goal: g\ntasks:\n  - { id: ok, prompt: p }\n');
});
afterAll(async () => {
  await server.close();
  await model.close();
  removeTemps();
});

const run = (baseURL: string, extra: string[] = []) =>
  runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', baseURL, '--worktree-root', path.join(dir, 'wt'), '--json', ...extra]);

describe('--base-url without /v1', () => {
  it('caid run: exit 2 naming the URL the server answers at, nothing written; that URL then works', async () => {
    const r = await run(server.origin);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`answered 404 (no /v1), but the server answers at ${server.origin}/v1: pass --base-url ${server.origin}/v1`);
    expect(existsSync(path.join(repo, '.caid', 'runs'))).toBe(false);
    const fixed = await run(`${server.origin}/v1`);
    expect(fixed.code, fixed.stderr).toBe(0);
  }, 60_000);

  it('without preflight (a task, caid plan) the model error says where the API is, instead of a bare 404', async () => {
    const hint = `(the base URL ${server.origin} has no /v1; Ollama, llama.cpp, vLLM and LM Studio serve the OpenAI API under ${server.origin}/v1)`;
    const r = await run(server.origin, ['--no-preflight']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`model-error: 404 404 page not found ${hint}`);
    const planned = await runCli(['plan', 'g', '--repo', repo, '--out', path.join(dir, 'p.yaml'), '--model', 'm', '--base-url', server.origin]);
    expect(planned.code).toBe(2);
    expect(planned.stderr).toContain(hint);
  }, 60_000);

  it('caid doctor says which --base-url to pass', async () => {
    const r = await runCli(['doctor', '--repo', repo, '--model', 'm', '--base-url', server.origin, '--worktree-root', path.join(dir, 'wt'), '--json']);
    expect(r.code).toBe(1);
    const checks = (JSON.parse(r.stdout) as { checks: { name: string; fix?: string }[] }).checks;
    expect(checks.find((c) => c.name === 'model worker')?.fix).toBe(`the server answers at ${server.origin}/v1: pass --base-url ${server.origin}/v1 (or set baseURL in caid.config.yaml)`);
  }, 60_000);
});
