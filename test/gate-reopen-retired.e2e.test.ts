import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { isReopen } from './calc-library.js';
import { git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

/**
 * Issue 19, the marshmallow wrong-first failure: a reopened task whose worktree was retired when it
 * merged. With one worker (one spare kept) the first of two independent tasks is parked as a spare
 * when it merges; the second, started while the first was verified, has a new worktree, which is
 * discarded when it merges (the spare is still there): its folder goes, and git's admin entry, still naming
 * the task's branch, stays until a later prune. Both are wrong first; the task that depends on both
 * makes the suite run and reopens them. The discarded one's reopen round used to delete and remake
 * its branch and was refused ("refusing to delete branch … checked out in <wt>/<task>"), so the
 * task failed with its tests red. Now every reopen round prepares a worktree and both are fixed.
 */
const LIB: Record<string, string> = {
  '.gitignore': '__pycache__/\n',
  'calc/__init__.py': 'from .add import add\nfrom .sub import sub\nfrom .mul import mul\n',
  // The pause keeps the first merge's verify long enough that the second task never waits for its spare.
  'tests/conftest.py': 'import time\n\ntime.sleep(0.5)\nimport calc  # noqa: F401,E402  (the package must import before any test runs)\n',
  'tests/test_add.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  'tests/test_sub.py': 'from calc import sub\n\n\ndef test_sub():\n    assert sub(3, 2) == 1\n',
  'tests/test_mul.py': 'from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
};

let model: ScriptedModelServer;
let r: { code: number | null; stderr: string; repo: string; summary: any; events: any[] };
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'wrong-add' && isReopen(c.lastUser), reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + b\n' }) },
      { when: (c) => taskOf(c) === 'wrong-add', reply: writesFiles({ 'calc/add.py': 'def add(a, b):\n    return a + c\n' }) },
      { when: (c) => taskOf(c) === 'wrong-sub' && isReopen(c.lastUser), reply: writesFiles({ 'calc/sub.py': 'def sub(a, b):\n    return a - b\n' }) },
      { when: (c) => taskOf(c) === 'wrong-sub', reply: writesFiles({ 'calc/sub.py': 'def sub(a, b):\n    return a - c\n' }) },
      { when: (c) => taskOf(c) === 'impl-mul', reply: writesFiles({ 'calc/mul.py': 'def mul(a, b):\n    return a * b\n' }) },
    ],
  });
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), LIB);
  writeFileSync(path.join(dir, 'plan.yaml'), `
goal: implement calc
verify: python3 -m pytest -q -p no:cacheprovider
tasks:
  - { id: wrong-add, prompt: write calc/add.py, files: [calc/add.py] }
  - { id: wrong-sub, prompt: write calc/sub.py, files: [calc/sub.py] }
  - { id: impl-mul, prompt: write calc/mul.py, files: [calc/mul.py], dependsOn: [wrong-add, wrong-sub] }
`);
  const res = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--workers', '1', '--json']);
  const summary = JSON.parse(res.stdout);
  const events = readFileSync(path.join(repo, `.caid/runs/${summary.runId}/events.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  r = { ...res, repo, summary, events };
}, 150_000);
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('reopening merged tasks whose worktrees were retired (parked or discarded)', () => {
  it('reopens both wrong tasks when the merge that makes the suite run lands', () => {
    expect(r.events.filter((e) => e.type === 'task.reopened').map((e) => e.taskId).sort()).toEqual(['wrong-add', 'wrong-sub']);
  });

  it('prepares every reopen round (no refused branch deletion), fixes both, and the run succeeds', () => {
    expect(r.stderr).not.toMatch(/refusing to delete branch/);
    expect(r.events.filter((e) => e.type === 'task.failed')).toEqual([]);
    const merges = r.events.filter((e) => e.type === 'task.merged').map((e) => e.taskId);
    expect(merges.slice(0, 3).sort()).toEqual(['impl-mul', 'wrong-add', 'wrong-sub']);
    expect(merges.slice(3).sort()).toEqual(['wrong-add', 'wrong-sub']);
    expect(r.events.filter((e) => e.type === 'task.gate').at(-1)).toMatchObject({ accepted: true, tests: { passed: 3, failed: 0, total: 3 } });
    expect(r.summary.status).toBe('succeeded');
    expect(r.code).toBe(0);
  });

  it('leaves no task worktree and keeps every task branch', () => {
    const left = git(r.repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '));
    expect(left).toHaveLength(1);
    for (const id of ['wrong-add', 'wrong-sub', 'impl-mul']) expect(git(r.repo, 'rev-parse', '--verify', `caid/${r.summary.runId}/tasks/${id}`)).toMatch(/^[0-9a-f]{40}$/);
  });
});
