import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

/**
 * Issue 19, mechanism 1: a library whose shapes are abstract-class stubs. The fixtures that
 * instantiate them fail at setup (pytest writes `errors=` on the suite), which is each test's
 * failure, not a crashed suite: every task lands and the pass count climbs.
 */
const SHAPES = ['square', 'circle'] as const;
const stub = (cls: string) => `from .base import Shape\n\n\nclass ${cls}(Shape):\n    def __init__(self, size):\n        self.size = size\n`;
const real = (cls: string, area: string) => `${stub(cls)}\n    def area(self):\n        return ${area}\n`;
const LIB: Record<string, string> = {
  '.gitignore': '__pycache__/\n',
  'geo/__init__.py': 'from .square import Square\nfrom .circle import Circle\n',
  'geo/base.py': 'import abc\n\n\nclass Shape(abc.ABC):\n    @abc.abstractmethod\n    def area(self):\n        pass\n',
  'geo/square.py': stub('Square'),
  'geo/circle.py': stub('Circle'),
  'tests/conftest.py': 'import pytest\nfrom geo import Square, Circle\n\n\n@pytest.fixture\ndef square():\n    return Square(2)\n\n\n@pytest.fixture\ndef circle():\n    return Circle(1)\n',
  'tests/test_square.py': 'def test_area(square):\n    assert square.area() == 4\n\n\ndef test_size(square):\n    assert square.size == 2\n',
  'tests/test_circle.py': 'def test_area(circle):\n    assert circle.area() == 3\n',
  'tests/test_pkg.py': 'import geo\n\n\ndef test_exports():\n    assert geo.Square and geo.Circle\n',
};

let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => taskOf(c) === 'impl-square', reply: writesFiles({ 'geo/square.py': real('Square', 'self.size * self.size') }) },
      { when: (c) => taskOf(c) === 'impl-circle', reply: writesFiles({ 'geo/circle.py': real('Circle', '3 * self.size * self.size') }) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('a pytest suite whose fixtures cannot be built yet (setup errors)', () => {
  let r: Awaited<ReturnType<typeof runCli>> & { repo: string; summary: any };
  beforeAll(async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), LIB);
    writeFileSync(path.join(dir, 'plan.yaml'), `
goal: implement the shapes
verify: python3 -m pytest -q
tasks:
  - { id: impl-square, prompt: implement Square.area in geo/square.py, files: [geo/square.py] }
  - { id: impl-circle, prompt: implement Circle.area in geo/circle.py, files: [geo/circle.py], dependsOn: [impl-square] }
`);
    const res = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--workers', '2', '--json']);
    r = { ...res, repo, summary: res.stdout ? JSON.parse(res.stdout) : undefined };
  }, 150_000);

  it('reads the base as a suite that runs with failing tests, not as a crash', () => {
    expect(r.stderr).toMatch(/gate: no-regression \(verify fails on the base \(1\/4 tests pass\)/);
  });

  it('lands every task on the first attempt and ends with every test passing', () => {
    expect(r.code, r.stderr).toBe(0);
    for (const t of r.summary.tasks) expect(t, t.id).toMatchObject({ status: 'merged', attempts: 1 });
    expect(r.summary.tests).toEqual({ passed: 4, failed: 0, total: 4 });
    expect(r.summary.testProgress).toBe('1 → 3 → 4 / 4');
  });

  it('records each merge as an accepted gate with no newly failing test', () => {
    const events = readFileSync(path.join(r.repo, `.caid/runs/${r.summary.runId}/events.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const gates = events.filter((e) => e.type === 'task.gate');
    expect(gates.map((e) => [e.taskId, e.accepted, e.newlyFailing])).toEqual([['impl-square', true, []], ['impl-circle', true, []]]);
  });
});
