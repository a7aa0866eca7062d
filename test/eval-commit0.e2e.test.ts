import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commit0Library } from './commit0-library.js';

const CLI = path.resolve(import.meta.dirname, '..', 'apps', 'cli', 'bin', 'caid.js');
const hasPytest = spawnSync('python3', ['-m', 'pytest', '--version'], { stdio: 'ignore' }).status === 0;
const root = mkdtempSync(path.join(os.tmpdir(), 'caid-eval-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const REFERENCE: Record<string, string> = {
  'tinylib/__init__.py': 'from tinylib.core import add\nfrom tinylib.shapes import square_area\n',
  'tinylib/core.py': 'def add(a, b):\n    return a + b\n',
  'tinylib/shapes.py': 'from tinylib.core import add\n\n\ndef square_area(side):\n    total = 0\n    for _ in range(side):\n        total = add(total, side)\n    return total\n',
  'tests/test_tinylib.py': 'from tinylib import add, square_area\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_square():\n    assert square_area(4) == 16\n',
};
const STUBS: Record<string, string> = {
  'tinylib/core.py': 'def add(a, b):\n    """Sum of a and b."""\n    pass\n',
  'tinylib/shapes.py': 'from tinylib.core import add\n\n\ndef square_area(side):\n    """Area of a square."""\n    pass\n',
};

describe.skipIf(!hasPytest)('caid eval commit0', () => {
  const lib = commit0Library(path.join(root, 'tinylib'), REFERENCE, STUBS);

  // wrong-first: both tests already fail on the stubs, so no test can newly fail; the broken first
  // write is sent back because its tests now fail in the code that task wrote (issue 19's gate gap).
  for (const variant of ['clean', 'wrong-first', 'shared-file']) {
    it(`builds a stubbed library back to the reference's pass count (${variant})`, () => {
      const r = spawnSync(process.execPath, [CLI, 'eval', 'commit0', '--lib', lib, '--variant', variant, '--workers', '2', '--latency-ms', '0', '--json'],
        { encoding: 'utf8', timeout: 170_000, env: { ...process.env, OPENAI_API_KEY: '' } });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      expect(report.referencePassed).toBe(2);
      expect(report.runs.map((x: { workers: number }) => x.workers)).toEqual([1, 2]);
      for (const run of report.runs) {
        expect(run).toMatchObject({ status: 'succeeded', merged: 2, tasks: 2, passed: 2 });
        // each task's broken first attempt goes back exactly once; the right ones are never sent back
        expect(run.sendBacks).toBe(variant === 'wrong-first' ? 2 : 0);
      }
      expect(report.meanPassRate).toBe(1);
      // The user's clone is only read: its branch still holds the stubs.
      expect(execFileSync('git', ['log', '-1', '--format=%s', 'commit0_combined'], { cwd: lib }).toString().trim()).toBe('Commit 0');
    }, 180_000);
  }

  // Without the import edge both tasks start at once; shapes' test fails in core's stub until core
  // merges, which the gate attributes to the pending task instead of sending shapes back.
  it('builds it back without the import graph\'s edges (--edges none), no send-back', () => {
    const r = spawnSync(process.execPath, [CLI, 'eval', 'commit0', '--lib', lib, '--edges', 'none', '--workers', '2', '--no-one-worker', '--latency-ms', '0', '--json'],
      { encoding: 'utf8', timeout: 170_000, env: { ...process.env, OPENAI_API_KEY: '' } });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ edges: 'none', planTasks: 2, criticalPath: 1 });
    expect(report.runs[0]).toMatchObject({ status: 'succeeded', merged: 2, passed: 2, sendBacks: 0 });
  }, 180_000);

  it('refuses an unknown --edges value with exit code 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'eval', 'commit0', '--lib', lib, '--edges', 'some'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--edges takes imports, none/);
  });

  it('refuses a folder that is not a clone, with exit code 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'eval', 'commit0', '--lib', root], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a git clone/);
  });
});
