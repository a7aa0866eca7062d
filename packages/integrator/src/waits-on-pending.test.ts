import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attributeFailure, blameOwned } from './attribute-failure.js';
import { reopenMerged } from './reopen-merged.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-waits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const put = (f: string, t: string) => { mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); writeFileSync(path.join(dir, f), t); };
// the sqlparse shape: formatter (merging) calls a method of FilterStack, whose class (another task's file) is still a stub
put('sq/formatter.py', 'def build(stack):\n    stack.enable_grouping()\n    return stack\n');
put('sq/engine/filter_stack.py', 'class FilterStack:\n\n    def __init__(self):\n        self.filters = []\n');
put('sq/utils.py', 'def helper(x):\n    pass\n\n\ndef run(x):\n    return helper(x).y\n');
const tb = (frames: string[], error: string) => `${frames.map((f) => `    something\n>   code\n\n${f}: in fn`).join('\n')}\nE   ${error}\n`;
const formatter = { taskId: 'impl-formatter', files: ['sq/formatter.py'] };
const stack = { taskId: 'impl-filter-stack', files: ['sq/engine/filter_stack.py'] };
const noMethod = tb(['tests/test_format.py:4', 'sq/__init__.py:9', 'sq/formatter.py:2'], "AttributeError: 'FilterStack' object has no attribute 'enable_grouping'");

describe('a failure raised in a merged task\'s own line on code a pending task has not written yet', () => {
  it('is not blamed on the merged task while the task owning the named class is pending; it is once that task merged', () => {
    expect(blameOwned('t', noMethod, dir, [formatter], [stack])).toBeNull();
    expect(blameOwned('t', noMethod, dir, [formatter], [])).toEqual({ test: 't', task: 'impl-formatter', at: 'sq/formatter.py:2' });
    // a class no pending file defines (the merged code's own typo): still blamed
    const other = noMethod.replace("'FilterStack'", "'Formatter'");
    expect(blameOwned('t', other, dir, [formatter], [stack])).toEqual({ test: 't', task: 'impl-formatter', at: 'sq/formatter.py:2' });
  });

  it('counts as waiting on that task when the test passed before', () => {
    expect(attributeFailure('t', noMethod, dir, [stack])).toEqual({ test: 't', task: 'impl-filter-stack', at: 'sq/engine/filter_stack.py' });
    expect(attributeFailure('t', noMethod, dir, [])).toBeNull();
  });

  it('a module or import a pending task owns, or a stub frame of a pending file further out, waits on that task', () => {
    const mod = tb(['tests/test_format.py:4', 'sq/formatter.py:2'], "AttributeError: module 'sq.engine.filter_stack' has no attribute 'FilterStack'");
    expect(blameOwned('t', mod, dir, [formatter], [stack])).toBeNull();
    const imp = tb(['tests/test_format.py:1', 'sq/formatter.py:1'], "ImportError: cannot import name 'Stack' from 'sq.engine.filter_stack' (/x/sq/engine/filter_stack.py)");
    expect(attributeFailure('t', imp, dir, [stack])).toEqual({ test: 't', task: 'impl-filter-stack', at: 'sq/engine/filter_stack.py' });
    // utils.run (merged, real) raises on what the pending helper stub gave it; the stub frame is not innermost
    const through = tb(['tests/test_u.py:3', 'sq/utils.py:2', 'sq/utils.py:6'], "KeyError: 'y'");
    const utils = { taskId: 'impl-utils', files: ['sq/utils.py'] };
    expect(attributeFailure('t', through, dir, [utils])).toMatchObject({ task: 'impl-utils' });
  });

  it('does not reopen a merged task for it while the class\'s task is pending', () => {
    const run = { command: 'pytest', exitCode: 1, output: '', timedOut: false, cancelled: false, crashed: false, tests: [{ id: 't', status: 'failed' as const, detail: noMethod }] };
    const base = { counts: null, passing: new Set<string>(), ran: true };
    expect(reopenMerged(run, base, dir, [formatter], [stack])).toEqual([]);
    expect(reopenMerged(run, base, dir, [formatter], [])).toMatchObject([{ taskId: 'impl-formatter', at: 'sq/formatter.py:2' }]);
  });

  it('a failed assertion on what a pending task\'s stub returned waits on that task (the simpy shape: no frame in the stub)', () => {
    put('pkg/loop.py', 'def run(procs):\n    for p in procs:\n        p()\n');
    put('pkg/res.py', 'from . import loop\n\n\ndef get():\n    """The resource."""\n    pass\n');
    const res = { taskId: 'impl-res', files: ['pkg/res.py'] };
    const loop = { taskId: 'impl-loop', files: ['pkg/loop.py'] };
    const failed = `${tb(['tests/test_pkg.py:11', 'pkg/loop.py:3'], 'assert None == 42')}E        +  where None = <function get at 0x7f7b6c3ec040>()\nE        +    where <function get at 0x7f7b6c3ec040> = pkg.get\n\ntests/test_pkg.py:10: AssertionError\n`;
    expect(attributeFailure('t', failed, dir, [res])).toEqual({ test: 't', task: 'impl-res', at: 'pkg/res.py:4' });
    const method = failed.replace(/<function get at 0x[0-9a-f]+>/g, '<bound method Store.get of <pkg.res.Store object at 0x7f00>>');
    expect(attributeFailure('t', method, dir, [res])).toEqual({ test: 't', task: 'impl-res', at: 'pkg/res.py:4' });
    // once res.py is real, or when no pending task defines the function as a stub, it is the merge's
    expect(attributeFailure('t', failed, dir, [loop])).toBeNull();
    put('pkg/res.py', 'from . import loop\n\n\ndef get():\n    return 41\n');
    expect(attributeFailure('t', failed, dir, [res])).toBeNull();
  });
});
