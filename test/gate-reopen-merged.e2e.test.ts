import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { CALC_LIB, calcProject, isReopen } from './calc-library.js';
import { git, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

/**
 * Issue 19, a wrong first attempt on a library that cannot be imported yet: the package needs two
 * modules before any test runs, so the first task's wrong code merges (the suite does not run
 * either way). When the second module lands the suite runs, and the first task's test fails in
 * the first task's own code: that task is reopened (sent back to its agent with the failures),
 * not left red. A task that stays wrong fails within the limits; the run ends, it does not hang.
 */
let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'impl-add' && isReopen(c.lastUser), reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + b\n' }) },
      // wrong: raises in its own line (a NameError), so the failure ends in calc/add.py
      { when: (c) => taskOf(c) === 'impl-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + c\n' }) },
      { when: (c) => taskOf(c) === 'wrong-add' && isReopen(c.lastUser), reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + d\n' }) },
      { when: (c) => taskOf(c) === 'wrong-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + c\n' }) },
      { when: (c) => taskOf(c) === 'import-add' && isReopen(c.lastUser), reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + b\n' }) },
      // wrong at import time: the package cannot load once every module is there
      { when: (c) => taskOf(c) === 'import-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + c\n\n\nZERO = add(0, 0)\n' }) },
      // writes the same wrong code in every round: its reopen round changes nothing
      { when: (c) => taskOf(c) === 'same-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + c\n' }) },
      { when: (c) => taskOf(c) === 'impl-mul', reply: writesFiles({ 'calc/mul.py': 'def mul(a, b):\n    return a * b\n' }) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

async function run(addTask: string, lib = CALC_LIB) {
  const dir = tempDir();
  const { repo, plan } = calcProject(dir, [
    `{ id: ${addTask}, prompt: write calc/add.py, files: [calc/add.py] }`,
    `{ id: impl-mul, prompt: write calc/mul.py, files: [calc/mul.py], dependsOn: [${addTask}] }`,
  ], lib);
  const res = await runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--workers', '1', '--verify-attempts', '1', '--json']);
  const summary = JSON.parse(res.stdout);
  const events = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/events.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { ...res, dir, repo, summary, events };
}

describe('a merged task whose own code fails once the suite runs', () => {
  let r: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => { r = await run('impl-add'); }, 150_000);

  it('merges the wrong first attempt while the suite cannot run', () => {
    const first = r.events.find((e) => e.type === 'task.gate' && e.taskId === 'impl-add');
    expect(first).toMatchObject({ accepted: true, tests: null });
  });

  it('the merge that makes the suite run lands, and reopens the task whose code fails', () => {
    const g = r.events.find((e) => e.type === 'task.gate' && e.taskId === 'impl-mul');
    expect(g).toMatchObject({ accepted: true, newlyFailing: [], reopen: [{ taskId: 'impl-add', tests: ['tests.test_add::test_add'], at: 'calc/add.py:2' }] });
    expect(g.reopen[0].output).toMatch(/NameError/);
    const e = r.events.find((x) => x.type === 'task.reopened');
    expect(e).toMatchObject({ taskId: 'impl-add', tests: ['tests.test_add::test_add'], by: 'impl-mul' });
    expect(r.events.find((x) => x.type === 'task.queued' && x.taskId === 'impl-add' && x.attempt === 2)).toMatchObject({ round: { kind: 'reopen', tests: ['tests.test_add::test_add'] } });
    expect(r.stderr).toMatch(/impl-add reopened: its merged code fails tests\.test_add::test_add \(revealed by impl-mul's merge\)/);
  });

  it('the fixed second attempt merges again and the run succeeds with every test green', () => {
    const merges = r.events.filter((e) => e.type === 'task.merged').map((e) => e.taskId);
    expect(merges).toEqual(['impl-add', 'impl-mul', 'impl-add']);
    expect(r.events.filter((e) => e.type === 'task.gate' && e.taskId === 'impl-add').at(-1)).toMatchObject({ accepted: true, tests: { passed: 2, failed: 0, total: 2 } });
    expect(r.code).toBe(0);
    expect(r.summary.status).toBe('succeeded');
    expect(r.summary.tasks.find((t: { id: string }) => t.id === 'impl-add')).toMatchObject({ status: 'merged', attempts: 2 });
    // The tests on the integration branch itself, in a checkout of its head.
    const check = path.join(r.dir, 'check');
    git(r.repo, 'worktree', 'add', '--detach', check, r.summary.branch);
    const out = execFileSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: check, encoding: 'utf8' });
    expect(out).toMatch(/2 passed/);
  });
});

describe('a reopened task that stays wrong', () => {
  let r: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => { r = await run('wrong-add'); }, 150_000);

  it('is reopened, refused at its next merge, and fails within the limit; the run ends failed', () => {
    expect(r.events.filter((e) => e.type === 'task.reopened').map((e) => e.taskId)).toEqual(['wrong-add']);
    expect(r.events.filter((e) => e.type === 'task.gate' && e.taskId === 'wrong-add').at(-1)).toMatchObject({ accepted: false, newlyFailing: ['tests.test_add::test_add'] });
    expect(r.events.find((e) => e.type === 'task.failed')).toMatchObject({ taskId: 'wrong-add', reason: expect.stringMatching(/^verify-failed/) });
    expect(r.code).toBe(1);
    expect(r.summary.status).toBe('failed');
    expect(r.summary.tasks.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([['wrong-add', 'failed'], ['impl-mul', 'merged']]);
    expect(r.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' });
  });
});

describe('a merged task whose own code stops the package from importing', () => {
  let r: Awaited<ReturnType<typeof run>>;
  // mul is imported first, so add's import-time error only shows once mul is there
  beforeAll(async () => { r = await run('import-add', { ...CALC_LIB, 'calc/__init__.py': 'from .mul import mul\nfrom .add import add\n' }); }, 150_000);

  it('is reopened with the collection error when the merge that completes the package lands, then fixed', () => {
    const g = r.events.find((e) => e.type === 'task.gate' && e.taskId === 'impl-mul');
    expect(g).toMatchObject({ accepted: true, tests: null, reopen: [{ taskId: 'import-add', at: 'calc/add.py:2' }] });
    expect(r.events.find((e) => e.type === 'task.reopened')).toMatchObject({ taskId: 'import-add', by: 'impl-mul', output: expect.stringMatching(/NameError/) });
    expect(r.events.filter((e) => e.type === 'task.merged').map((e) => e.taskId)).toEqual(['import-add', 'impl-mul', 'import-add']);
    expect(r.summary.status).toBe('succeeded');
    expect(r.events.filter((e) => e.type === 'task.gate').at(-1)).toMatchObject({ accepted: true, tests: { passed: 2, failed: 0, total: 2 } });
  });
});

describe('a reopen round that changes nothing', () => {
  let r: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => { r = await run('same-add'); }, 150_000);

  it('fails the task (no-changes) instead of putting the failing code back unverified', () => {
    expect(r.events.filter((e) => e.type === 'task.merged').map((e) => e.taskId)).toEqual(['same-add', 'impl-mul']);
    expect(r.events.find((e) => e.type === 'task.failed')).toMatchObject({ taskId: 'same-add', reason: expect.stringMatching(/^no-changes: .*still fails/) });
    expect(r.summary.status).toBe('failed');
    expect(r.code).toBe(1);
  });
});
