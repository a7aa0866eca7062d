import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attributeFailure, blameOwned, isStubAt } from './attribute-failure.js';
import { judgeRun } from './judge-run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-attr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const put = (f: string, t: string) => { mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); writeFileSync(path.join(dir, f), t); };
put('lib/fmt.py', 'def fmt(x):\n    """Formats x."""\n    pass\n\n\ndef real(x):\n    return x.upper()\n');
put('lib/ops.py', 'def op(x):\n    raise NotImplementedError\n');
const tb = (frames: string[]) => frames.map((f) => `    something\n>   code\nE   Error\n\n${f}: in fn`).join('\n');

describe('isStubAt', () => {
  it('reads a function body that is only pass, ..., or raise NotImplementedError (a docstring allowed)', () => {
    expect(isStubAt('def f(x):\n    """doc."""\n    pass\n', 3)).toBe(true);
    expect(isStubAt('def f(x):\n    ...\n', 2)).toBe(true);
    expect(isStubAt('class A:\n    def f(self):\n        raise NotImplementedError("later")\n', 3)).toBe(true);
    expect(isStubAt('def f(x):\n    y = x\n    return y.z\n', 3)).toBe(false);
  });
});

describe('attributeFailure', () => {
  it('a failure ending in a file a pending task owns waits on that task', () => {
    expect(attributeFailure('t', tb(['tests/test_x.py:3', 'lib/ops.py:2']), dir, [{ taskId: 'impl-ops', files: ['lib/ops.py'] }])).toEqual({ test: 't', task: 'impl-ops', at: 'lib/ops.py:2' });
  });

  it('a failure ending in a stub no pending task owns waits on the stub; one ending in real code is the merge\'s', () => {
    expect(attributeFailure('t', tb(['tests/test_x.py:3', 'lib/ops.py:2']), dir, [])).toEqual({ test: 't', at: 'lib/ops.py:2' });
    expect(attributeFailure('t', tb(['tests/test_x.py:3', 'lib/fmt.py:7']), dir, [])).toBeNull();
    // frames outside the repository (the standard library, site-packages) are skipped
    expect(attributeFailure('t', tb(['lib/ops.py:2', '/usr/lib/python3/x.py:9']), dir, [])).toEqual({ test: 't', at: 'lib/ops.py:2' });
    expect(attributeFailure('t', undefined, dir, [])).toBeNull();
  });

  it('in the judgement: a waiting test does not refuse the merge, is judged again later, and a real failure is held', () => {
    const run = (status: 'passed' | 'failed', detail?: string) => ({ command: 'pytest', exitCode: 1, output: '', timedOut: false, cancelled: false, crashed: false, tests: [{ id: 't', status, detail }] });
    const attr = (pending: { taskId: string; files: string[] }[]) => (id: string, d: string | undefined) => attributeFailure(id, d, dir, pending);
    const base = { counts: null, passing: new Set(['t']), ran: true };
    const first = judgeRun('no-regression', base, run('failed', tb(['lib/ops.py:2'])), attr([{ taskId: 'impl-ops', files: ['lib/ops.py'] }]));
    expect(first).toMatchObject({ accepted: true, failing: [], waiting: [{ test: 't', task: 'impl-ops' }] });
    const later = { counts: null, passing: new Set<string>(), ran: true, waiting: new Set(['t']) };
    expect(judgeRun('no-regression', later, run('failed', tb(['lib/fmt.py:7'])), attr([]))).toMatchObject({ accepted: false, failing: ['t'] });
    expect(judgeRun('no-regression', later, run('passed'), attr([]))).toMatchObject({ accepted: true, failing: [], waiting: [] });
  });
});

describe('blameOwned (a test that failed before and still fails, now in the merged task\'s code)', () => {
  const merging = [{ taskId: 'impl-fmt', files: ['lib/fmt.py'] }];
  it('names the merged task when the failure ends in its file and that code is no stub', () => {
    expect(blameOwned('t', tb(['tests/test_x.py:3', 'lib/fmt.py:7']), dir, merging)).toEqual({ test: 't', task: 'impl-fmt', at: 'lib/fmt.py:7' });
    // a stub in its file, another task's file, the test's own file, or nothing merged: not its fault
    expect(blameOwned('t', tb(['tests/test_x.py:3', 'lib/fmt.py:3']), dir, merging)).toBeNull();
    expect(blameOwned('t', tb(['tests/test_x.py:3', 'lib/ops.py:2']), dir, merging)).toBeNull();
    expect(blameOwned('t', tb(['lib/fmt.py:7', 'tests/test_x.py:3']), dir, merging)).toBeNull();
    expect(blameOwned('t', tb(['tests/test_x.py:3', 'lib/fmt.py:7']), dir, [])).toBeNull();
    // raised in the standard library it calls (no network here), or wrapping such an error: the machine's, not the code's
    expect(blameOwned('t', tb(['tests/test_x.py:3', 'lib/fmt.py:7', '/usr/lib/python3.11/urllib/request.py:1348']), dir, merging)).toBeNull();
    const wrapped = `${tb(['lib/fmt.py:7', '/usr/lib/python3.11/socket.py:9'])}\n\nThe above exception was the direct cause of the following exception:\n\n${tb(['tests/test_x.py:3', 'lib/fmt.py:7'])}`;
    expect(blameOwned('t', wrapped, dir, merging)).toBeNull();
    // raised while handling the repository's own error (a schema catching its ValidationError): the last one is judged
    const handling = `${tb(['tests/test_x.py:3'])}\n\nDuring handling of the above exception, another exception occurred:\n\n${tb(['tests/test_x.py:5', 'lib/fmt.py:7'])}`;
    expect(blameOwned('t', handling, dir, merging)).toEqual({ test: 't', task: 'impl-fmt', at: 'lib/fmt.py:7' });
    // ... but not a module translating its own error (cause and last raised in one file), nor while handling what a stub raised
    expect(blameOwned('t', handling.replace('tests/test_x.py:3', 'lib/fmt.py:6'), dir, merging)).toBeNull();
    expect(blameOwned('t', handling.replace('tests/test_x.py:3', 'lib/ops.py:2'), dir, merging)).toBeNull();
    // real code failing on what a stub returned (None) waits on that stub
    expect(blameOwned('t', `${tb(['tests/test_x.py:3', 'lib/fmt.py:7'])}\nE           TypeError: 'NoneType' object is not callable\n`, dir, merging)).toBeNull();
    // stopped by the per-test timeout inside its loop: the loop may wait on a stub
    expect(blameOwned('t', `${tb(['tests/test_x.py:3', 'lib/fmt.py:7'])}\nE           Failed: Timeout (>20.0s) from pytest-timeout.\n`, dir, merging)).toBeNull();
  });

  it('on a base whose suite did not run, a merge whose own code now breaks the import is refused', () => {
    const base = { counts: null, passing: new Set<string>(), ran: false };
    const crashed = (detail: string) => ({ command: 'pytest', exitCode: 2, output: '', timedOut: false, cancelled: false, crashed: true, tests: [], collectionErrors: [{ id: 'tests/test_x.py', status: 'failed' as const, detail }] });
    const blame = (id: string, d: string | undefined) => blameOwned(id, d, dir, merging);
    expect(judgeRun('no-regression', base, crashed(tb(['tests/test_x.py:1', 'lib/fmt.py:7'])), undefined, blame)).toMatchObject({ accepted: false, owned: [{ task: 'impl-fmt' }] });
    // no report at all (a conftest that cannot import): the traceback in the output is read
    const noReport = { command: 'pytest', exitCode: 4, output: `ImportError while loading conftest 'tests/conftest.py'.\n${tb(['tests/conftest.py:1', 'lib/fmt.py:7'])}`, timedOut: false, cancelled: false, crashed: true, tests: null };
    expect(judgeRun('no-regression', base, noReport, undefined, blame)).toMatchObject({ accepted: false, owned: [{ task: 'impl-fmt' }] });
    // still failing to import in a stub, as before: accepted
    expect(judgeRun('no-regression', base, crashed(tb(['tests/test_x.py:1', 'lib/ops.py:2'])), undefined, blame)).toMatchObject({ accepted: true, owned: [] });
  });

  it('in the judgement on a red base: a wrong implementation is refused, a right one (or one waiting on a stub) lands', () => {
    // the stubs' base: t fails (in the stub), nothing passes, so no regression is possible
    const base = { counts: null, passing: new Set<string>(), ran: true };
    const run = (status: 'passed' | 'failed', detail?: string) => ({ command: 'pytest', exitCode: 1, output: '', timedOut: false, cancelled: false, crashed: false, tests: [{ id: 't', status, detail }] });
    const attr = (id: string, d: string | undefined) => attributeFailure(id, d, dir, []);
    const blame = (id: string, d: string | undefined) => blameOwned(id, d, dir, merging);
    expect(judgeRun('no-regression', base, run('failed', tb(['tests/test_x.py:3', 'lib/fmt.py:7'])), attr, blame))
      .toMatchObject({ accepted: false, failing: [], owned: [{ test: 't', task: 'impl-fmt', at: 'lib/fmt.py:7' }] });
    expect(judgeRun('no-regression', base, run('failed', tb(['tests/test_x.py:3', 'lib/ops.py:2'])), attr, blame)).toMatchObject({ accepted: true, owned: [] });
    expect(judgeRun('no-regression', base, run('passed'), attr, blame)).toMatchObject({ accepted: true, owned: [] });
    // without the plan's files (no blame) the old judgement holds: nothing newly fails, accepted
    expect(judgeRun('no-regression', base, run('failed', tb(['tests/test_x.py:3', 'lib/fmt.py:7'])), attr)).toMatchObject({ accepted: true });
  });
});
