import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemps } from './cli-harness.js';
import { runLibraryPlan, type LibraryRun } from './library-run.js';

/**
 * Issue 19, the simpy shape in small: `test_get_inside_loop` passes on the stubs without running
 * (the event loop `run` is a stub that does nothing). The real loop lands and runs the test's
 * process, which asserts on what `get()` returns, still a stub (None) of the resource task. No frame
 * of the traceback is in the stub (it returned), so the gate used to blame the loop: refused twice,
 * failed, the resource task skipped (simpy: 1 of 8 merged). pytest's report names where the value
 * came from (`where None = <function get at 0x…>()`): the failure waits on the resource task.
 */
const LIB: Record<string, string> = {
  '.gitignore': '__pycache__/\n',
  'pkg/__init__.py': 'from .loop import run\nfrom .res import get\n',
  'pkg/loop.py': 'def run(procs):\n    pass\n',
  'pkg/res.py': 'def get():\n    """The resource\'s value."""\n    pass\n',
  // test_get fails on the stubs (a red base, as every Commit0 library's: the gate judges per test)
  'tests/test_pkg.py': 'import pkg\n\n\ndef test_get():\n    assert pkg.get() == 42\n\n\ndef test_get_inside_loop():\n    def proc():\n        assert pkg.get() == 42\n    pkg.run([proc])\n',
};

let r: LibraryRun;
beforeAll(async () => {
  r = await runLibraryPlan(LIB, {
    'impl-loop': { 'pkg/loop.py': 'def run(procs):\n    for p in procs:\n        p()\n' },
    'impl-res': { 'pkg/res.py': 'def get():\n    """The resource\'s value."""\n    return 42\n' },
  }, `
goal: implement pkg
verify: python3 -m pytest -q -p no:cacheprovider
tasks:
  - { id: impl-loop, prompt: implement pkg/loop.py, files: [pkg/loop.py] }
  - { id: impl-res, prompt: implement pkg/res.py, files: [pkg/res.py], dependsOn: [impl-loop] }
`);
}, 150_000);
afterAll(removeTemps);

describe('a test that passed on the stubs without running, then fails on the value a pending stub returned', () => {
  it('does not refuse the loop: it lands at its first attempt, the test waiting on the resource task', () => {
    const g = r.events.find((e) => e.type === 'task.gate' && e.taskId === 'impl-loop');
    expect(g).toMatchObject({ accepted: true, newlyFailing: [], tests: { passed: 0, failed: 2, total: 2 } });
    expect(JSON.stringify(g)).toContain('impl-res');
    expect(r.events.filter((e) => e.type === 'task.verify-failed' || e.type === 'task.reopened')).toEqual([]);
  });

  it('the test passes once the resource lands, and the run succeeds', () => {
    const g = r.events.filter((e) => e.type === 'task.gate').at(-1);
    expect(g).toMatchObject({ taskId: 'impl-res', accepted: true, tests: { passed: 2, failed: 0, total: 2 } });
    expect(r.summary.status).toBe('succeeded');
    expect(r.code).toBe(0);
  });
});
