import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemps } from './cli-harness.js';
import { runLibraryPlan, type LibraryRun } from './library-run.js';

/**
 * Issue 19, the sqlparse misattribution in small: formatter.py calls `stack.enable_grouping()` on a
 * FilterStack, a class whose file is another task's and still a stub without that method
 * (formatter.py does not even import it). The AttributeError is raised in formatter's own line, so
 * the gate used to blame formatter's code: refused twice, failed, and the stack task that comes
 * after it skipped. It is waiting on the task that owns FilterStack: formatter lands at once, and
 * the test passes when the stack lands. (The stack task depends on formatter only to fix the order.)
 */
const LIB: Record<string, string> = {
  '.gitignore': '__pycache__/\n',
  'sq/__init__.py': 'from .engine.filter_stack import FilterStack\nfrom . import formatter\n\n\ndef format(sql):\n    stack = FilterStack()\n    formatter.build(stack)\n    return stack.run(sql)\n',
  'sq/engine/__init__.py': '',
  'sq/engine/filter_stack.py': 'class FilterStack:\n\n    def __init__(self):\n        self.grouping = False\n',
  'sq/formatter.py': 'def build(stack):\n    raise NotImplementedError\n',
  'tests/test_sq.py': 'import sq\nfrom sq.engine.filter_stack import FilterStack\n\n\ndef test_stack_starts_ungrouped():\n    assert FilterStack().grouping is False\n\n\ndef test_format():\n    assert sq.format("select") == "SELECT"\n',
};

let r: LibraryRun;
beforeAll(async () => {
  r = await runLibraryPlan(LIB, {
    'impl-formatter': { 'sq/formatter.py': 'def build(stack):\n    stack.enable_grouping()\n    return stack\n' },
    'impl-filter-stack': { 'sq/engine/filter_stack.py': 'class FilterStack:\n\n    def __init__(self):\n        self.grouping = False\n\n    def enable_grouping(self):\n        self.grouping = True\n\n    def run(self, sql):\n        return sql.upper() if self.grouping else sql\n' },
  }, `
goal: implement sq
verify: python3 -m pytest -q -p no:cacheprovider
tasks:
  - { id: impl-formatter, prompt: implement sq/formatter.py, files: [sq/formatter.py] }
  - { id: impl-filter-stack, prompt: implement sq/engine/filter_stack.py, files: [sq/engine/filter_stack.py], dependsOn: [impl-formatter] }
`);
}, 150_000);
afterAll(removeTemps);

describe("a failure in a merged task's line on a class another pending task has not written yet", () => {
  it('does not refuse the merge: the formatter lands at its first attempt', () => {
    const g = r.events.find((e) => e.type === 'task.gate' && e.taskId === 'impl-formatter');
    expect(g).toMatchObject({ accepted: true, newlyFailing: [], tests: { passed: 1, failed: 1, total: 2 } });
    expect(r.events.filter((e) => e.type === 'task.verify-failed' || e.type === 'task.reopened')).toEqual([]);
    expect(r.summary.tasks.find((t: { id: string }) => t.id === 'impl-formatter')).toMatchObject({ status: 'merged', attempts: 1 });
  });

  it('the test passes once the task owning the class lands, and the run succeeds', () => {
    const g = r.events.filter((e) => e.type === 'task.gate').at(-1);
    expect(g).toMatchObject({ taskId: 'impl-filter-stack', accepted: true, tests: { passed: 2, failed: 0, total: 2 } });
    expect(r.summary.status).toBe('succeeded');
    expect(r.code).toBe(0);
  });
});
