import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { loadConfig, loadPlan } from '@caid/orchestrator';
import { call, makeRepo, removeTemps, runCli, tempDir } from './cli-harness.js';

// `caid init` against an Ollama-like server (GET /api/tags) and a scripted OpenAI-compatible one
// (GET /v1/models), on free ports named through CAID_INIT_SERVERS (the real ports may be taken).
let ollama: Server;
let ollamaUrl: string;
let vllm: ScriptedModelServer;
let dir: string;
const PLANNED = { goal: 'x', tasks: [{ id: 'notes', title: 'Notes', prompt: 'Write NOTES.md.', dependsOn: [], files: ['NOTES.md'] }] };
beforeAll(async () => {
  ollama = createServer((req, res) => {
    if (req.url === '/api/tags') return res.end(JSON.stringify({ models: [{ name: 'llama3:8b' }, { name: 'qwen2.5-coder:14b' }] }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => ollama.listen(0, '127.0.0.1', r));
  ollamaUrl = `http://127.0.0.1:${(ollama.address() as { port: number }).port}`;
  // Also a planner for `caid plan` after `caid init`: it submits a one-task plan.
  vllm = await startScriptedModel({ rules: [{ when: (c) => c.tools.includes('submit_plan'), reply: () => call('submit_plan', PLANNED) }] });
  dir = tempDir();
});
afterAll(async () => {
  await new Promise((r) => ollama.close(r));
  await vllm.close();
  removeTemps();
});

describe('caid init', () => {
  it('writes a commented config for the server it finds, and a starter plan that loads', async () => {
    const repo = makeRepo(path.join(dir, 'found'), { 'a.txt': 'a\n' });
    const r = await runCli(['init', '--repo', repo], { env: { CAID_INIT_SERVERS: `ollama=${ollamaUrl},vllm=${vllm.url.replace(/\/v1$/, '')}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`found ollama at ${ollamaUrl}/v1: llama3:8b, qwen2.5-coder:14b`);
    const text = readFileSync(path.join(repo, 'caid.config.yaml'), 'utf8');
    expect(text).toMatch(/^# /);
    const { config } = loadConfig(repo);
    expect(config.models?.worker).toEqual({ provider: 'ollama', baseURL: `${ollamaUrl}/v1`, model: 'qwen2.5-coder:14b' });
    expect(text).toContain(`# or vllm: { provider: vllm, baseURL: ${vllm.url}, model: "scripted" }`);
    const plan = await loadPlan(path.join(repo, 'plan.yaml'));
    expect(plan.tasks.map((t) => t.id)).toEqual(['contributing', 'smoke-test']);
    // No test command in this repository: the plan has no verify, and init says what that means.
    expect(plan.verify).toBeUndefined();
    expect(r.stderr).toMatch(/no test command found: merges are not tested until you set verify: in plan\.yaml/);
  }, 60_000);

  it('writes the repository\'s test command as the starter plan\'s verify (caid run --plan detects none)', async () => {
    const repo = makeRepo(path.join(dir, 'python'), { 'pyproject.toml': '[tool.pytest.ini_options]\npythonpath = ["."]\n', 'tests/test_ok.py': 'def test_ok():\n    pass\n' });
    const r = await runCli(['init', '--repo', repo], { env: { CAID_INIT_SERVERS: `ollama=${ollamaUrl}` } });
    expect(r.code, r.stderr).toBe(0);
    expect((await loadPlan(path.join(repo, 'plan.yaml'))).verify).toBe('python -m pytest');
    expect(r.stderr).toContain('verify: python -m pytest (from the repository; edit plan.yaml to change it)');
  }, 60_000);

  it('writes a commented template when nothing answers; refuses to overwrite without --force (exit 2)', async () => {
    const repo = makeRepo(path.join(dir, 'none'), { 'a.txt': 'a\n' });
    const env = { CAID_INIT_SERVERS: 'ollama=http://127.0.0.1:9,lmstudio=http://127.0.0.1:9' };
    const r = await runCli(['init', '--repo', repo], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no local model server answered/);
    expect(loadConfig(repo).config.models?.worker ?? {}).toEqual({});
    writeFileSync(path.join(repo, 'caid.config.yaml'), 'sandbox: bwrap\n');
    const again = await runCli(['init', '--repo', repo], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/caid\.config\.yaml and plan\.yaml already exist .*--force/);
    // --force would replace the edited config; the starter plan is still init's own.
    expect(again.stderr).toContain('pass --force to overwrite (that replaces caid.config.yaml as it is now: copy or rename it first to keep it)');
    // A plan.yaml of the user's own (here: for another tool) is named too.
    const own = makeRepo(path.join(dir, 'own-plan'), { 'plan.yaml': 'steps: [deploy]\n' });
    const theirs = await runCli(['init', '--repo', own], { env });
    expect(theirs.code).toBe(2);
    expect(theirs.stderr).toContain('plan.yaml already exists in');
    expect(theirs.stderr).toContain('(that replaces plan.yaml as it is now: copy or rename it first to keep it)');
    expect(readFileSync(path.join(own, 'plan.yaml'), 'utf8')).toBe('steps: [deploy]\n');
    expect(readFileSync(path.join(repo, 'caid.config.yaml'), 'utf8')).toBe('sandbox: bwrap\n');
    const forced = await runCli(['init', '--repo', repo, '--force'], { env: { CAID_INIT_SERVERS: `ollama=${ollamaUrl}` } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(loadConfig(repo).config.models?.worker?.model).toBe('qwen2.5-coder:14b');
  }, 60_000);

  it('caid plan right after caid init replaces the unedited starter plan.yaml (and says so), but never a plan the user edited', async () => {
    const repo = makeRepo(path.join(dir, 'then-plan'), { 'a.txt': 'a\n' });
    expect((await runCli(['init', '--repo', repo], { env: { CAID_INIT_SERVERS: 'ollama=http://127.0.0.1:9' } })).code).toBe(0);
    const plan = () => runCli(['plan', 'write the notes', '--model', 'scripted', '--base-url', vllm.url], { cwd: repo });
    const r = await plan();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`plan written to ${path.join(repo, 'plan.yaml')} (it replaced caid init's unedited starter plan)`);
    expect((await loadPlan(path.join(repo, 'plan.yaml'))).tasks.map((t) => t.id)).toEqual(['notes']);
    // The planner's plan is the user's now: a second plan refuses to overwrite it.
    const again = await plan();
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/plan\.yaml already exists \(and is not caid init's unedited starter\): pass --out FILE, or --force/);

    // A starter the user touched (one comment added) is theirs: refused, and left exactly as it was.
    const edited = makeRepo(path.join(dir, 'edited-starter'), { 'a.txt': 'a\n' });
    expect((await runCli(['init', '--repo', edited], { env: { CAID_INIT_SERVERS: 'ollama=http://127.0.0.1:9' } })).code).toBe(0);
    appendFileSync(path.join(edited, 'plan.yaml'), '# mine\n');
    const text = readFileSync(path.join(edited, 'plan.yaml'), 'utf8');
    const refused = await runCli(['plan', 'write the notes', '--model', 'scripted', '--base-url', vllm.url], { cwd: edited });
    expect(refused.code).toBe(2);
    expect(readFileSync(path.join(edited, 'plan.yaml'), 'utf8')).toBe(text);
  }, 60_000);

  it('a Python repository where only python3 is on PATH gets `python3 -m pytest` (Debian, Ubuntu); with python too, `python -m pytest`', async () => {
    const bin = (names: string[]) => {
      const d = path.join(tempDir(), 'bin');
      mkdirSync(d);
      for (const n of names) symlinkSync(execFileSync('sh', ['-c', `command -v ${n === 'python' ? 'python3' : n}`]).toString().trim(), path.join(d, n));
      return d;
    };
    for (const [names, verify] of [[['git', 'python3'], 'python3 -m pytest'], [['git', 'python', 'python3'], 'python -m pytest']] as const) {
      const repo = makeRepo(path.join(tempDir(), 'repo'), { 'pyproject.toml': '[tool.pytest.ini_options]\n' });
      const r = await runCli(['init', '--repo', repo], { env: { PATH: bin([...names]), CAID_INIT_SERVERS: 'ollama=http://127.0.0.1:9' } });
      expect(r.code, r.stderr).toBe(0);
      expect((await loadPlan(path.join(repo, 'plan.yaml'))).verify).toBe(verify);
    }
  }, 60_000);
});
