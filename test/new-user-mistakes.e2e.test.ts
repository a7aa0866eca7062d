import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

// What an impatient new user ran into (issue 18, session "newuser"): each case went wrong through
// the installed CLI before its fix — a stack trace, a misleading message, or a green doctor.
let model: ScriptedModelServer;
let dir: string;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => c.tools.includes('submit_plan'), reply: call('submit_plan', { goal: 'one file', tasks: [{ id: 'one', title: 'One', prompt: 'p' }] }) },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)} by caid\n` })(c) },
    ],
  });
  dir = tempDir();
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const LONG_GOAL = `Add the one file ${'and describe every detail of it at great length '.repeat(200)}`;
let n = 0;
/** A fresh repository on `main` with a finished, green one-task run. */
async function finishedRun(goal = 'Add the one file') {
  const root = path.join(dir, `case-${++n}`);
  const repo = makeRepo(path.join(root, 'repo'), { 'keep.txt': 'keep\n' });
  const plan = path.join(root, 'plan.json');
  writeFileSync(plan, JSON.stringify({ goal, tasks: [{ id: 'one', title: 'One', prompt: 'p' }] }));
  const r = await runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(root, 'wt'), '--json']);
  expect(r.code, r.stderr).toBe(0);
  return { root, repo, run: JSON.parse(r.stdout) as { runId: string; branch: string; commit: string }, stderr: r.stderr };
}

describe('caid land, as a new user gets it wrong', () => {
  it('--push to a remote the repository does not have: exit 2 naming it, no stack, nothing changed', async () => {
    const { repo, run } = await finishedRun();
    const before = git(repo, 'rev-parse', 'main');
    for (const args of [['--push', 'origin'], ['--into', 'main', '--push', 'orign']]) {
      const r = await runCli(['land', run.runId, '--repo', repo, ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/no remote "orig\w*" .*it has none.*git remote add/);
      expect(r.stderr).not.toMatch(/internal error|at GitRunner/);
      expect(git(repo, 'rev-parse', 'main')).toBe(before);
    }
  }, 120_000);

  it('--pr in a repository without origin: a message, not a crash', async () => {
    const { root, repo, run } = await finishedRun();
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'gh'), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(bin, 'gh'), 0o755);
    const r = await runCli(['land', run.runId, '--repo', repo, '--pr'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no remote "origin"/);
    expect(r.stderr).not.toMatch(/internal error/);
  }, 120_000);

  it('a push the remote refuses: exit 1 with git\'s reason and what was landed locally, no stack', async () => {
    const { root, repo, run } = await finishedRun();
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    writeFileSync(path.join(bare, 'hooks/pre-receive'), '#!/bin/sh\necho "pushes are closed today" >&2\nexit 1\n');
    chmodSync(path.join(bare, 'hooks/pre-receive'), 0o755);
    git(repo, 'remote', 'add', 'origin', bare);
    const r = await runCli(['land', run.runId, '--repo', repo, '--into', 'main', '--push', 'origin']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/pushing caid\/\S+\/integration to origin failed \(main was landed locally: fast-forward\).*pushes are closed today/s);
    expect(r.stderr).not.toMatch(/internal error|at GitRunner/);
    expect(git(repo, 'rev-parse', 'main')).toBe(run.commit);
  }, 120_000);

  it('a very long goal gives a one-line commit subject; the goal is in the body', async () => {
    const { repo, run } = await finishedRun(LONG_GOAL);
    git(repo, 'branch', 'release', 'main');
    const r = await runCli(['land', run.runId, '--repo', repo, '--into', 'release', '--squash']);
    expect(r.code, r.stderr).toBe(0);
    const subject = git(repo, 'log', '-1', '--format=%s', 'release');
    expect(subject.length).toBeLessThanOrEqual(72);
    expect(subject).toMatch(new RegExp(`^caid run ${run.runId}: Add the one file .*\\.\\.\\.$`));
    expect(git(repo, 'log', '-1', '--format=%b', 'release')).toBe(LONG_GOAL.trim());
  }, 120_000);

  it('the run tells how to land its result; one task and one worker are not "1 tasks"', async () => {
    const { repo, run, stderr } = await finishedRun();
    expect(stderr).toContain(`Land it:  caid land ${run.runId} --repo ${repo}`);
    expect(stderr).toMatch(/: 1 task, 3 workers, branch/);
  }, 120_000);
});

describe('first steps, as a new user gets them wrong', () => {
  it('a goal pasted from a long issue is one line in the terminal; the plan file keeps all of it', async () => {
    const repo = makeRepo(path.join(dir, 'planned'), { 'keep.txt': 'keep\n' });
    const out = path.join(dir, 'planned-plan.yaml');
    const r = await runCli(['plan', LONG_GOAL, '--repo', repo, '--out', out, '--model', 'm', '--base-url', model.url]);
    expect(r.code, r.stderr).toBe(0);
    for (const line of `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^(planning|goal):/.test(l))) {
      expect(line.length).toBeLessThanOrEqual(200);
      expect(line).toMatch(new RegExp(`^(planning|goal): Add the one file .*… \\(${LONG_GOAL.trim().length} characters\\)$`));
    }
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/^planning: /m);
    expect((parseYaml(readFileSync(out, 'utf8')) as { goal: string }).goal.trim()).toBe(LONG_GOAL.trim());
  }, 60_000);

  it('the README path (caid init, then caid run --plan plan.yaml) does not warn about the files caid read; other changes are named', async () => {
    const repo = makeRepo(path.join(dir, 'readme-path'), { 'keep.txt': 'keep\n' });
    writeFileSync(path.join(repo, 'caid.config.yaml'), `models:\n  worker: { baseURL: ${model.url}, model: m }\n`);
    writeFileSync(path.join(repo, 'plan.yaml'), 'goal: g\ntasks:\n  - { id: one, title: One, prompt: p }\n');
    const wt = ['--worktree-root', path.join(dir, 'readme-path-wt')];
    const first = await runCli(['run', '--plan', 'plan.yaml', ...wt], { cwd: repo });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/uncommitted or untracked/);
    writeFileSync(path.join(repo, 'notes.txt'), 'mine\n');
    const second = await runCli(['run', '--plan', 'plan.yaml', ...wt], { cwd: repo });
    expect(second.stderr).toMatch(/warning: your checkout has uncommitted or untracked files; the run starts from the last commit \(HEAD\) and does not see them: notes\.txt\n/);
  }, 120_000);

  it('doctor in a repository with no commits fails the repository check (caid run would refuse it)', async () => {
    const repo = path.join(dir, 'fresh');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    const r = await runCli(['doctor', '--repo', repo, '--model', 'm', '--base-url', model.url, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const checks = (JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }).checks;
    expect(checks.find((c) => c.name === 'repository')).toMatchObject({ ok: false, detail: expect.stringMatching(/has no commits yet/), fix: expect.stringMatching(/git commit/) });
  }, 60_000);

  it('a mistyped --repo is named as such, before any missing model or config', async () => {
    const plan = path.join(dir, 'any-plan.yaml');
    writeFileSync(plan, 'goal: g\ntasks:\n  - { id: a, title: A, prompt: p }\n');
    const missing = await runCli(['run', '--plan', plan, '--repo', path.join(dir, 'no-such-repo')], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/repository folder \S+no-such-repo does not exist/);
    const file = await runCli(['run', '--plan', plan, '--repo', plan], { cwd: dir });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/any-plan\.yaml is a file, not a repository folder/);
  }, 60_000);

  it('a bad flag value says what is wrong in a few lines, not the whole help', async () => {
    const r = await runCli(['run', '--plan', 'plan.yaml', '--workers', '0'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers takes a whole number of at least 1, not "0"/);
    expect(r.stderr).not.toMatch(/Usage:/);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  }, 60_000);

  it('a key variable named with --api-key-env but not set is a warning, not silence', async () => {
    const { root } = await finishedRun();
    const repo = path.join(root, 'repo');
    const r = await runCli(['run', '--plan', path.join(root, 'plan.json'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--api-key-env', 'CAID_NEWUSER_KEY', '--worktree-root', path.join(root, 'wt2')]);
    expect(r.stderr).toMatch(new RegExp(`warning: the worker model's key variable CAID_NEWUSER_KEY is not set; requests to ${model.url} go without an API key`));
  }, 120_000);

  it('--provider openrouter over a config with a local server means openrouter; a provider at another URL is named with it', async () => {
    const repo = makeRepo(path.join(dir, 'provider'), { 'caid.config.yaml': `models:\n  worker: { baseURL: ${model.url}, model: m }\n` });
    const plan = path.join(dir, 'provider-plan.yaml');
    writeFileSync(plan, 'goal: g\ntasks:\n  - { id: a, title: A, prompt: p }\n');
    const flag = await runCli(['run', '--plan', plan, '--repo', repo, '--provider', 'openrouter', '--model', 'qwen/qwen3-coder']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/caid: openrouter\.ai needs an API key: set OPENROUTER_API_KEY/);
    writeFileSync(path.join(repo, 'caid.config.yaml'), `models:\n  worker: { provider: openrouter, baseURL: ${model.url}, model: m }\n`);
    const config = await runCli(['run', '--plan', plan, '--repo', repo]);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(new RegExp(`the openrouter provider at ${model.url} needs an API key: set OPENROUTER_API_KEY`));
  }, 60_000);

  it('caid logs replays the run\'s progress, and --task prints an agent\'s conversation', async () => {
    const { repo, run } = await finishedRun();
    const logs = await runCli(['logs', '--repo', repo]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(new RegExp(`run ${run.runId}: 1 task, 3 workers`));
    expect(logs.stdout).toMatch(/✔ one merged as [0-9a-f]{10}/);
    const json = await runCli(['logs', run.runId, '--repo', repo, '--json']);
    expect(json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toContain('run.finished');
    const task = await runCli(['logs', run.runId, '--repo', repo, '--task', 'one']);
    expect(task.code, task.stderr).toBe(0);
    expect(task.stdout).toMatch(/\[user\] # Task one/);
    expect(task.stdout).toMatch(/→ write_file \{"path":"one\.txt"/);
    expect(task.stdout).toMatch(/attempt 1 ended: done/);
    const typo = await runCli(['logs', run.runId, '--repo', repo, '--task', 'onee']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no transcript for task "onee"; tasks with one: one/);
  }, 120_000);

  it('resume of a run that is still going is refused before it says "resuming"; logs says live or interrupted', async () => {
    const slow = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: { content: 'thinking', delayMs: 30_000 } }] });
    const root = path.join(dir, 'live');
    const repo = makeRepo(path.join(root, 'repo'), { 'keep.txt': 'keep\n' });
    writeFileSync(path.join(root, 'plan.yaml'), 'goal: g\ntasks:\n  - { id: one, title: One, prompt: p }\n');
    let pid = 0;
    const running = runCli(['run', '--plan', path.join(root, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', slow.url, '--worktree-root', path.join(root, 'wt')], { onSpawn: (p) => { pid = p; } });
    const runs = path.join(repo, '.caid/runs');
    const owned = () => (existsSync(runs) ? readdirSync(runs).find((id) => existsSync(path.join(runs, id, 'owner.json'))) : undefined);
    for (let i = 0; i < 200 && !owned(); i++) await new Promise((r) => setTimeout(r, 50));
    const runId = owned()!;
    const r = await runCli(['resume', runId, '--repo', repo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`run ${runId} is still going \\(process ${pid} on .*caid abort ${runId}`));
    expect(r.stderr).not.toMatch(/resuming run|sandbox:/);
    // caid logs says whether a log without an end is a live run or one nobody drives any more
    expect((await runCli(['logs', runId, '--repo', repo])).stdout).toContain(`(run ${runId} is still going)`);
    process.kill(pid, 'SIGKILL');
    expect((await running).signal).toBe('SIGKILL');
    expect((await runCli(['logs', runId, '--repo', repo])).stdout).toContain(`(run ${runId} was interrupted; continue it with: caid resume ${runId})`);
    await slow.close();
  }, 120_000);

  it('Ctrl-C during caid plan says so, exits 130 and writes no plan', async () => {
    const slow = await startScriptedModel({ rules: [{ when: (c) => c.tools.includes('submit_plan'), reply: { content: 'thinking', delayMs: 30_000 } }] });
    const repo = makeRepo(path.join(dir, 'plan-interrupted'), { 'keep.txt': 'keep\n' });
    const out = path.join(dir, 'plan-interrupted.yaml');
    let pid = 0;
    const planning = runCli(['plan', 'add a thing', '--repo', repo, '--out', out, '--model', 'm', '--base-url', slow.url], { onSpawn: (p) => { pid = p; } });
    for (let i = 0; i < 200 && slow.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, 'SIGINT');
    const r = await planning;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/caid: interrupted; stopping the planner; no plan is written/);
    expect(existsSync(out)).toBe(false);
    await slow.close();
  }, 60_000);
});
