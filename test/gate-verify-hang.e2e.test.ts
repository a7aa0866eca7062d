import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

/**
 * Issue 19, verify hangs: a stubbed function loops forever and a test starts a server in its own
 * session. Each test gets a limit of its own (pytest-timeout), so the looping test fails alone
 * instead of timing out the verify, and nothing the verify started is left running after the run.
 */
const MARK = `1000.${Math.floor(Math.random() * 1e9)}`;
const LIB: Record<string, string> = {
  '.gitignore': '__pycache__/\n',
  'calc/__init__.py': 'from .add import add\nfrom .mul import mul\n',
  'calc/add.py': 'def add(a, b):\n    return a + b\n',
  'calc/mul.py': 'def mul(a, b):\n    while True:  # stub: loops forever\n        pass\n',
  'tests/test_calc.py': 'from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
  'tests/test_server.py': `import subprocess\n\n\ndef test_server_starts():\n    # a "server" in a session of its own, never stopped by the test\n    subprocess.Popen(["sleep", "${MARK}"], start_new_session=True)\n`,
};

/** Processes whose command line contains `needle`, or whose working directory is under it. */
function survivors(needle: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0').join(' ');
      if (cmd.includes(needle) || readlinkSync(`/proc/${p}/cwd`).startsWith(needle)) out.push(`${p}: ${cmd}`);
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({ rules: [{ when: (c) => taskOf(c) === 'impl-mul', reply: writesFiles({ 'calc/mul.py': 'def mul(a, b):\n    return a * b\n' }) }] });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe.runIf(process.platform === 'linux')('a verify whose tests hang or leave processes behind', () => {
  let r: Awaited<ReturnType<typeof runCli>> & { dir: string; summary: any };
  beforeAll(async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), LIB);
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: implement mul\nverify: python3 -m pytest -q\ntasks:\n  - { id: impl-mul, prompt: implement calc/mul.py, files: [calc/mul.py] }\n');
    // a 30 s verify gives each test 5 s
    const res = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--verify-timeout', '0.5', '--json']);
    r = { ...res, dir, summary: res.stdout ? JSON.parse(res.stdout) : undefined };
  }, 150_000);

  it('the looping test fails on its own; the verify on the base does not time out', () => {
    expect(r.stderr).toMatch(/gate: no-regression \(verify fails on the base \(2\/3 tests pass\)/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.tests).toEqual({ passed: 3, failed: 0, total: 3 });
  });

  it('no process the verifies started outlives the run, not even one in a session of its own', () => {
    expect(survivors(MARK)).toEqual([]);
    expect(survivors(r.dir)).toEqual([]);
  });
});
