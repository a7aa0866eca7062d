import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir } from './cli-harness.js';

let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [{
      when: (c) => taskOf(c) === 'leaky',
      reply: (c) => [call('run', { command: 'env' }), call('write_file', { path: 'x.txt', content: 'x' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 2)]!,
    }],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const GOOD = 'goal: g\ntasks:\n  - { id: a, prompt: do a }\n';

/** Runs `caid run` on a fresh repository and reports what it left behind. */
async function attempt(plan: string | null, o: { repo?: 'none' | 'empty' | 'ok'; args?: string[]; env?: Record<string, string>; planName?: string } = {}) {
  const dir = tempDir();
  const repo = path.join(dir, 'repo');
  if (o.repo === 'none') mkdirSync(repo);
  else if (o.repo === 'empty') { mkdirSync(repo); git(repo, 'init', '-q'); }
  else makeRepo(repo, { 'a.txt': 'a\n' });
  const planFile = path.join(dir, o.planName ?? 'plan.yaml');
  if (plan !== null) writeFileSync(planFile, plan);
  const branchesBefore = o.repo ? '' : git(repo, 'branch', '--list');
  const r = await runCli(['run', '--plan', planFile, '--repo', repo, '--worktree-root', path.join(dir, 'wt'), ...(o.args ?? ['--model', 'm', '--base-url', model.url])], { env: o.env });
  return {
    ...r,
    wroteCaid: existsSync(path.join(repo, '.caid')),
    wroteWorktrees: existsSync(path.join(dir, 'wt')) && readdirSync(path.join(dir, 'wt')).length > 0,
    branchesChanged: !o.repo && git(repo, 'branch', '--list') !== branchesBefore,
  };
}

describe('bad input ends with exit 2, a clear message, and nothing written', () => {
  it.each([
    ['not a git repository', GOOD, { repo: 'none' as const }, /is not a git repository/],
    ['a repository without commits', GOOD, { repo: 'empty' as const }, /has no commits yet/],
    ['an unknown dependency', 'goal: g\ntasks:\n  - { id: a, prompt: p, dependsOn: [ghost] }\n', {}, /task "a" depends on unknown task "ghost"/],
    ['a cycle', 'goal: g\ntasks:\n  - { id: a, prompt: p, dependsOn: [c] }\n  - { id: b, prompt: p, dependsOn: [a] }\n  - { id: c, prompt: p, dependsOn: [b] }\n', {}, /dependency cycle: a -> c -> b -> a/],
    ['duplicate ids', 'goal: g\ntasks:\n  - { id: a, prompt: p }\n  - { id: a, prompt: q }\n', {}, /duplicate task id "a"/],
    ['a malformed id', 'goal: g\ntasks:\n  - { id: Bad_Id, prompt: p }\n', {}, /tasks\.0\.id: task ids are kebab-case.*"Bad_Id" is not \(try "bad-id"\)/],
    ['an id with spaces', 'goal: g\ntasks:\n  - { id: add numbers, prompt: p }\n', {}, /"add numbers" is not \(try "add-numbers"\)/],
    ['a unicode id', 'goal: g\ntasks:\n  - { id: ädd-zahlen, prompt: p }\n', {}, /"ädd-zahlen" is not \(try "add-zahlen"\)/],
    ['an empty prompt', 'goal: g\ntasks:\n  - { id: a, prompt: "" }\n', {}, /tasks\.0\.prompt/],
    ['a plan with no tasks', 'goal: g\ntasks: []\n', {}, /at least one task/],
    ['an empty plan file', '# nothing yet\n', {}, /plan file .* is empty: it needs a goal and tasks/],
    ['invalid YAML', 'goal: g\ntasks: [ { id: a\n', {}, /is not valid YAML/],
    ['invalid JSON', '{"goal": "g", ', { planName: 'plan.json' }, /is not valid JSON/],
    ['an unreadable plan file', null, {}, /cannot read plan file .*there is no such file \(looked for \//],
    ['an unknown base', GOOD, { args: ['--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--base', 'no-such-ref'] }, /base "no-such-ref" does not name a commit/],
    ['no model named', GOOD, { args: ['--base-url', 'http://127.0.0.1:9/v1'] }, /pass --model NAME or set CAID_MODEL/],
    ['OpenAI without a key', GOOD, { args: ['--model', 'gpt-4.1'] }, /set OPENAI_API_KEY/],
    ['zero workers', GOOD, { args: ['--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--workers', '0'] }, /--workers takes a whole number of at least 1/],
    // Node's recursive mkdir spins for ever under /proc; this used to hang at 100% CPU, deaf to SIGTERM.
    ['a worktree root that cannot be created (under /proc)', GOOD, { args: ['--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--no-preflight', '--worktree-root', '/proc/caid-test/wt'] }, /cannot use worktree root \/proc\/caid-test\/wt: cannot create \/proc\/caid-test \(ENOENT\)/],
    ['an unknown flag', GOOD, { args: ['--model', 'm', '--frobnicate'] }, /unknown option '--frobnicate'/],
  ])('%s', async (_name, plan, o, message) => {
    const r = await attempt(plan, o);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.wroteCaid).toBe(false);
    expect(r.wroteWorktrees).toBe(false);
    expect(r.branchesChanged).toBe(false);
  });

  it('neither a goal nor --plan (or both) is refused clearly', async () => {
    const r = await runCli(['run', '--model', 'm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass a goal .* or --plan FILE/);
    const both = await runCli(['run', 'build me a thing', '--plan', 'plan.yaml', '--model', 'm']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either a goal or --plan FILE, not both/);
  });

  it('caid status on a repository without runs exits 2', async () => {
    const repo = makeRepo(path.join(tempDir(), 'repo'), { 'a.txt': 'a' });
    const r = await runCli(['status', '--repo', repo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no caid runs/);
  });
});

describe('secrets', () => {
  it('the API key reaches the model server but never a file under .caid/ nor the environment of `run`', async () => {
    const key = 'sk-caid-test-secret-0123456789abcdef';
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a\n' });
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: g\ntasks:\n  - { id: leaky, prompt: print the environment }\n');
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt')], { env: { OPENAI_API_KEY: key } });
    expect(r.code, r.stderr).toBe(0);
    expect(model.requests.at(-1)!.authorization).toBe(`Bearer ${key}`);
    const transcript = readFileSync(path.join(repo, '.caid/runs', readdirSync(path.join(repo, '.caid/runs'))[0]!, 'tasks/leaky.jsonl'), 'utf8');
    expect(transcript).toContain('PATH=');
    // grep exits 1 when nothing matches: no file in the run folder, the repository or the worktrees holds the key
    const grep = spawnSync('grep', ['-r', '-l', key, dir], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');
    expect(grep.status).toBe(1);
    expect(r.stderr).not.toContain(key);
    expect(statSync(path.join(repo, '.caid')).isDirectory()).toBe(true);
  });
});
