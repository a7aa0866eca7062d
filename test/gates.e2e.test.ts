import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type Conversation, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir } from './cli-harness.js';

const VITEST = path.resolve(__dirname, '../node_modules/vitest/vitest.mjs');
const OPS = { add: 'a + b', sub: 'a - b', mul: 'a * b', div: 'a / b' } as const;
type Op = keyof typeof OPS;
const impl = (op: Op, body: string = OPS[op]) => `def ${op}(a, b):\n    return ${body}\n`;
const sentBack = (c: Conversation) => /Tests that passed before your merge|verify command/.test(c.lastUser);

/** A calculator library whose functions are stubs: its pytest suite starts red. */
const PY_SKELETON: Record<string, string> = {
  'calc/__init__.py': 'from .add import add\nfrom .sub import sub\nfrom .mul import mul\nfrom .div import div\n\nVERSION = "0.1"\n',
  ...Object.fromEntries((Object.keys(OPS) as Op[]).map((op) => [`calc/${op}.py`, `def ${op}(a, b):\n    raise NotImplementedError\n`])),
  ...Object.fromEntries((Object.keys(OPS) as Op[]).map((op) => [`tests/test_${op}.py`,
    `from calc import ${op}\n\ndef test_${op}_ints():\n    assert ${op}(6, 3) == ${eval(OPS[op].replace('a', '6').replace('b', '3'))}\n\ndef test_${op}_floats():\n    assert ${op}(1.5, 0.5) == ${eval(OPS[op].replace('a', '1.5').replace('b', '0.5'))}\n`])),
  'tests/test_version.py': 'import calc\n\ndef test_version():\n    assert calc.VERSION == "0.1"\n',
  // Only once sub is in: the verify on the base runs beside the agents and must not consume the trigger.
  'tests/test_flaky.py': 'import os\n\ndef test_sometimes():\n    trigger = os.environ.get("FLAKY_TRIGGER")\n    sub = open(os.path.join(os.path.dirname(__file__), "..", "calc", "sub.py")).read()\n    if trigger and os.path.exists(trigger) and "a - b" in sub:\n        os.remove(trigger)\n        assert False, "flaked once"\n',
};

let model: ScriptedModelServer;
let trigger: string;

beforeAll(async () => {
  trigger = path.join(tempDir(), 'flaky-trigger');
  model = await startScriptedModel({
    rules: [
      // mul's first attempt also "tidies" add.py and breaks it; the send-back names the broken test.
      { when: (c) => taskOf(c) === 'impl-mul' && sentBack(c), reply: (c) => [call('write_file', { path: 'calc/add.py', content: impl('add') }), call('finish', { summary: 'restored add' })][Math.min(c.stepInRound, 1)]! },
      { when: (c) => taskOf(c) === 'impl-mul', reply: (c) => [call('write_file', { path: 'calc/mul.py', content: impl('mul') }), call('write_file', { path: 'calc/add.py', content: impl('add', 'a + b + 0.0001') }), call('finish', { summary: 'mul' })][Math.min(c.stepInRound, 2)]! },
      // sub's agent leaves the flaky test's trigger behind: the next gate sees one spurious failure.
      { when: (c) => taskOf(c) === 'impl-sub', reply: (c) => [call('write_file', { path: 'calc/sub.py', content: impl('sub') }), call('run', { command: `touch ${trigger}` }), call('finish', { summary: 'sub' })][Math.min(c.stepInRound, 2)]! },
      { when: (c) => /^impl-(add|div)$/.test(taskOf(c) ?? ''), reply: (c) => {
        const op = taskOf(c)!.slice(5) as Op;
        return [call('write_file', { path: `calc/${op}.py`, content: impl(op) }), call('finish', { summary: op })][Math.min(c.stepInRound, 1)]!;
      } },
      // TypeScript: the task's own check is red at first, so it is sent back before any merge.
      { when: (c) => taskOf(c) === 'ts-sum', reply: (c) => {
        const wrong = 'export const sum = (a: number, b: number) => a - b;\n';
        const right = 'export const sum = (a: number, b: number) => a + b;\n';
        return [call('write_file', { path: 'src/sum.ts', content: wrong }), call('finish', { summary: 'sum' }), call('write_file', { path: 'src/sum.ts', content: right }), call('finish', { summary: 'sum fixed' })][Math.min(c.stepInRound, 3)]!;
      } },
      { when: (c) => taskOf(c) === 'ts-scale', reply: (c) => [call('write_file', { path: 'src/scale.ts', content: 'export const scale = (a: number, k: number) => a * k;\n' }), call('finish', { summary: 'scale' })][Math.min(c.stepInRound, 1)]! },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

async function run(files: Record<string, string>, plan: string, args: string[] = [], env: Record<string, string> = {}) {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { '.gitignore': '__pycache__/\n.pytest_cache/\n', ...files });
  writeFileSync(path.join(dir, 'plan.yaml'), plan);
  // --sandbox none: the scripted agent's `run` arms the flaky test's trigger file outside the worktree; bwrap's private /tmp (where the test's files live) would hide it.
  const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none', '--json', ...args], { env });
  return { ...r, repo, summary: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('no-regression gate on a Python library that starts red', () => {
  let r: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    r = await run(PY_SKELETON, `
goal: implement calc
verify: python3 -m pytest -q
tasks:
  - { id: impl-add, prompt: implement add in calc/add.py, files: [calc/add.py] }
  - { id: impl-sub, prompt: implement sub in calc/sub.py, files: [calc/sub.py] }
  - { id: impl-mul, prompt: implement mul in calc/mul.py, files: [calc/mul.py], dependsOn: [impl-add] }
  - { id: impl-div, prompt: implement div in calc/div.py, files: [calc/div.py], dependsOn: [impl-mul] }
`, ['--workers', '2'], { FLAKY_TRIGGER: trigger });
  }, 180_000);

  it('chooses no-regression because the base is red, and says so', () => {
    expect(r.stderr).toMatch(/gate: no-regression \(verify fails on the base \(2\/10 tests pass\)/);
  });

  it('lands every task and climbs to the full suite', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.tests).toEqual({ passed: 10, failed: 0, total: 10 });
    const steps = (r.summary.testProgress as string).split(' / ')[0]!.split(' → ').map(Number);
    expect(steps[0]).toBe(2);
    expect(steps.at(-1)).toBe(10);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // A batch's gate report goes with its last task (the tip it verified); batch-mates have none.
    const reported = r.summary.tasks.filter((t: { tests?: unknown }) => t.tests);
    expect(reported.length).toBeGreaterThan(0);
    for (const t of reported) expect(t.tests.total).toBe(10);
  });

  it('sends back the task that broke a passing test, naming that test and its message', () => {
    const mul = r.summary.tasks.find((t: { id: string }) => t.id === 'impl-mul');
    expect(mul).toMatchObject({ status: 'merged', attempts: 2 });
    const lines = readFileSync(path.join(r.repo, `.caid/runs/${r.summary.runId}/tasks/impl-mul.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const back = lines.filter((x) => x.t === 'message' && x.message.role === 'user').at(-1).message.content as string;
    expect(back).toMatch(/Tests that passed before your merge and fail after it:\n- tests\.test_add::test_add_ints: .*assert/);
    expect(back).toContain('tests.test_add::test_add_floats');
    expect(r.stderr).toMatch(/gate refused impl-mul: .*newly failing: tests\.test_add::test_add_ints/);
    expect(git(r.repo, 'show', `${r.summary.branch}:calc/add.py`)).toBe(impl('add').trim());
  });

  it('records a test that fails once and passes on rerun as flaky, not as a regression', () => {
    expect(r.summary.flaky).toEqual(['tests.test_flaky::test_sometimes']);
    expect(r.summary.tasks.find((t: { id: string }) => t.id === 'impl-sub')).toMatchObject({ status: 'merged', attempts: 1 });
    expect(existsSync(trigger)).toBe(false);
  });

  it('caid status shows the pass-count progression', async () => {
    const s = await runCli(['status', '--repo', r.repo]);
    expect(s.stdout).toMatch(/tests passing: 2 → (\d+ → )*10 \/ 10/);
    expect(s.stdout).toMatch(/flaky tests: tests\.test_flaky::test_sometimes/);
  });
});

describe('a TypeScript project under vitest', () => {
  it('a red per-task check sends the agent back before any merge; the run lands green under no-regression', async () => {
    const r = await run({
      'src/sum.ts': 'export const sum = (a: number, b: number): number => { throw new Error("todo"); };\n',
      'src/scale.ts': 'export const scale = (a: number, k: number): number => { throw new Error("todo"); };\n',
      'test/sum.test.ts': "import { sum } from '../src/sum';\ntest('sum', () => { expect(sum(2, 3)).toBe(5); });\n",
      'test/scale.test.ts': "import { scale } from '../src/scale';\ntest('scale', () => { expect(scale(2, 3)).toBe(6); });\n",
      'test/smoke.test.ts': "test('smoke', () => { expect(1).toBe(1); });\n",
    }, `
goal: ts
verify: node ${VITEST} run --globals
tasks:
  - { id: ts-sum, prompt: implement sum, files: [src/sum.ts], verify: node ${VITEST} run --globals test/sum.test.ts }
  - { id: ts-scale, prompt: implement scale, files: [src/scale.ts] }
`, ['--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/gate: no-regression \(verify fails on the base \(1\/3 tests pass\)/);
    expect(r.summary.tests).toEqual({ passed: 3, failed: 0, total: 3 });
    expect(r.summary.testProgress).toMatch(/^1 → 2 → 3 \/ 3$/);
    const sum = r.summary.tasks.find((t: { id: string }) => t.id === 'ts-sum');
    expect(sum).toMatchObject({ status: 'merged', attempts: 1 });
    const transcript = readFileSync(path.join(r.repo, `.caid/runs/${r.summary.runId}/tasks/ts-sum.jsonl`), 'utf8');
    expect(transcript).toContain("Refused: your task's check");
    // the red version never reached a merge: no gate ran for it and the task branch's first commit is the fix
    expect(r.stderr).not.toMatch(/gate refused ts-sum/);
    expect(git(r.repo, 'show', `${r.summary.branch}:src/sum.ts`)).toContain('a + b');
  }, 120_000);
});
