import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { calcProject } from './calc-library.js';
import { removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

/**
 * Issue 19, mechanism 2: the package cannot be imported until two modules exist, which no single
 * task writes. Its conftest imports it, so pytest stops before writing any report (exit 4). A
 * merge after which the suite still does not run is accepted; once it runs, the usual rules apply.
 */
let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'impl-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + b\n' }) },
      { when: (c) => taskOf(c) === 'impl-mul', reply: writesFiles({ 'calc/mul.py': 'def mul(a, b):\n    return a * b\n' }) },
      // once the suite runs, the usual rules hold again: this breaks a passing test
      { when: (c) => taskOf(c) === 'break-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a - b\n' }) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('a test suite that does not run on the base (the package cannot be imported yet)', () => {
  let r: Awaited<ReturnType<typeof runCli>> & { repo: string; summary: any; events: any[] };
  beforeAll(async () => {
    const dir = tempDir();
    const { repo, plan } = calcProject(dir, [
      '{ id: impl-add, prompt: write calc/add.py, files: [calc/add.py] }',
      '{ id: impl-mul, prompt: write calc/mul.py, files: [calc/mul.py], dependsOn: [impl-add] }',
      '{ id: break-add, prompt: rework calc/add.py, files: [calc/add.py], dependsOn: [impl-mul] }',
    ]);
    const res = await runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--workers', '1', '--verify-attempts', '1', '--json']);
    const events = readFileSync(path.join(repo, `.caid/runs/${JSON.parse(res.stdout).runId}/events.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    r = { ...res, repo, summary: JSON.parse(res.stdout), events };
  }, 150_000);

  it('picks the per-test gate and says the suite does not run on the base', () => {
    expect(r.stderr).toMatch(/gate: no-regression \(the test suite does not run on the base/);
  });

  it('accepts the merge after which the suite still does not run, and the one after which it runs', () => {
    const gates = r.events.filter((e) => e.type === 'task.gate');
    expect(gates.slice(0, 2).map((e) => [e.taskId, e.accepted, e.tests])).toEqual([
      ['impl-add', true, null],
      ['impl-mul', true, { passed: 2, failed: 0, total: 2 }],
    ]);
    for (const id of ['impl-add', 'impl-mul']) expect(r.summary.tasks.find((t: { id: string }) => t.id === id), id).toMatchObject({ status: 'merged', attempts: 1 });
  });

  it('once the suite runs, a merge that breaks a passing test is refused', () => {
    const refused = r.events.find((e) => e.type === 'task.gate' && e.taskId === 'break-add');
    expect(refused).toMatchObject({ accepted: false, newlyFailing: ['tests.test_add::test_add'] });
    expect(r.summary.tasks.find((t: { id: string }) => t.id === 'break-add').status).not.toBe('merged');
  });
});
