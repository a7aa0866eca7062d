import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

// Issue 16: strict inputs (a typo never switches the gate off in silence) and a visible "no gate".
let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({ rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: 'x\n' })(c) }] });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

async function run(planText: string, files: Record<string, string> = {}) {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n', ...files });
  const plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, planText);
  const r = await runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--json']);
  return { ...r, repo };
}

describe('strict plan and config keys', () => {
  it('a misspelt plan key is exit 2 naming the closest known key, and nothing is written', async () => {
    const r = await run('goal: g\nverfy: npm test\ntasks:\n  - { id: a, prompt: p }\n  - { id: b, prompt: p, depends_on: [a] }\n');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('verfy: unknown key "verfy": did you mean "verify"?');
    expect(r.stderr).toContain('tasks.1.depends_on: unknown key "depends_on": did you mean "dependsOn"?');
    expect(existsSync(path.join(r.repo, '.caid', 'runs'))).toBe(false);
  });

  it('a misspelt config key is exit 2 with "did you mean"', async () => {
    const r = await run('goal: g\ntasks:\n  - { id: a, prompt: p }\n', { 'caid.config.yaml': 'limits:\n  maxStep: 3\n' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('limits.maxStep: unknown key "maxStep": did you mean "maxSteps"?');
  });

  it('`caid plan` reads the config as `caid run` does, and the newer sections are strict too', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n', 'caid.config.yaml': 'mergeQueue:\n  batchMx: 2\n' });
    const r = await runCli(['plan', 'add a thing', '--repo', repo, '--model', 'm', '--base-url', model.url]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('mergeQueue.batchMx: unknown key "batchMx": did you mean "batchMax"?');
  });

  it('run settings from the config file are recorded, and `caid status --settings` shows them', async () => {
    const config = 'limits: { verifyAttempts: 4, conflictRounds: 0 }\nmergeQueue: { batchMax: 2, verifyConcurrency: 1, conflictWarnings: 0 }\nplanner: { maxTasks: 3 }\nworkers: 2\n';
    const r = await run('goal: g\ntasks:\n  - { id: a, prompt: p }\n', { 'caid.config.yaml': config });
    expect(r.code, r.stderr).toBe(0);
    const runId = JSON.parse(r.stdout).runId as string;
    const status = JSON.parse((await runCli(['status', runId, '--repo', r.repo, '--json'])).stdout);
    expect(status.settings).toMatchObject({ workers: 2, limits: { verifyAttempts: 4, conflictRounds: 0 }, mergeQueue: { batchMax: 2, verifyConcurrency: 1, conflictWarnings: 0 }, planner: { maxTasks: 3 } });
    const text = (await runCli(['status', runId, '--repo', r.repo, '--settings'])).stdout;
    expect(text).toMatch(/\* mergeQueue\.batchMax\s+2/);
    expect(text).toMatch(/  limits\.maxSteps\s+50/);
  });

  it('a YAML error shows the offending line', async () => {
    const r = await run('goal: g\ntasks:\n  - id: a\n   prompt: [oops\n');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/line 4, column 1/);
    expect(r.stderr).toContain('prompt: [oops');
  });

  it('a plan with no verify and no task checks warns at the start and says "no gate" in the summary', async () => {
    const r = await run('goal: g\ntasks:\n  - { id: a, prompt: p }\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: no gate/);
    expect(r.stderr).toMatch(/gate: no gate/);
    expect(r.stderr).not.toMatch(/uncommitted/);
  });

  it('warns that uncommitted changes are not in the base', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    writeFileSync(path.join(repo, 'README.md'), '# changed, not committed\n');
    const plan = path.join(dir, 'plan.yaml');
    writeFileSync(plan, 'goal: g\ntasks:\n  - { id: a, prompt: p }\n');
    const r = await runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: your checkout has uncommitted or untracked files; the run starts from the last commit/);
  });

  it('help shows the schema defaults, and bad values are usage errors (exit 2) naming the flag', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.stdout).toMatch(/--batch-max <n>\s+most finished tasks merged and verified\s+together\s+\(default: 8\)/);
    expect(help.stdout).toMatch(/Merge queue options:/);
    const bad = await runCli(['run', '--plan', 'x.yaml', '--verify-concurrency', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--verify-concurrency takes a whole number/);
  });

  it('preflight: a wrong --base-url is exit 2 naming the URL before anything is written', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const plan = path.join(dir, 'plan.yaml');
    writeFileSync(plan, 'goal: g\ntasks:\n  - { id: a, prompt: p }\n');
    const args = ['run', '--plan', plan, '--repo', repo, '--model', 'm', '--worktree-root', path.join(dir, 'wt')];
    const refused = await runCli([...args, '--base-url', 'http://127.0.0.1:9/v1']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/preflight: the worker model endpoint http:\/\/127\.0\.0\.1:9\/v1 \(model m\) did not answer/);
    const wrongPath = await runCli([...args, '--base-url', `${model.url}/wrong`]);
    expect(wrongPath.code, wrongPath.stderr).toBe(2);
    expect(wrongPath.stderr).toMatch(/answered 404/);
    expect(existsSync(path.join(repo, '.caid', 'runs'))).toBe(false);
    // The probe is not part of the run: the scripted model's record holds only the run's requests.
    const before = model.requests.length;
    const ok = await runCli([...args, '--base-url', model.url]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(model.requests.slice(before).every((q) => !q.conversation.lastUser.startsWith('caid preflight'))).toBe(true);
  });
});
