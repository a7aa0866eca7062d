import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reopenMerged } from './reopen-merged.js';
import type { VerifyRun } from './run-verify.js';
import type { GateBaseline } from './judge-run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-reopen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const put = (f: string, t: string) => { mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); writeFileSync(path.join(dir, f), t); };
put('lib/add.py', 'def add(a, b):\n    return a + c\n');
put('lib/mul.py', 'def mul(a, b):\n    raise NotImplementedError\n');
const tb = (at: string, error = 'NameError: name \'c\' is not defined') => `tests/test_x.py:4: in test\n    add(2, 3)\n${at}: in add\n    code\nE   ${error}`;
const run = (tests: VerifyRun['tests'], over: Partial<VerifyRun> = {}): VerifyRun => ({ command: 'pytest', exitCode: 1, output: '', timedOut: false, cancelled: false, tests, crashed: false, ...over });
const base = (passing: string[] = [], waiting: string[] = []): GateBaseline => ({ counts: null, passing: new Set(passing), ran: false, waiting: new Set(waiting) });
const merged = [{ taskId: 'impl-add', files: ['lib/add.py'] }, { taskId: 'impl-mul', files: ['lib/mul.py'] }];

describe('reopenMerged', () => {
  it('names the merged task whose own (non-stub) code a failing test ends in, with the failure', () => {
    const r = reopenMerged(run([
      { id: 't::add', status: 'failed', message: 'NameError', detail: tb('lib/add.py:2') },
      { id: 't::mul', status: 'failed', message: 'NotImplementedError', detail: tb('lib/mul.py:2', 'NotImplementedError') },
      { id: 't::ok', status: 'passed' },
    ]), base(), dir, merged);
    expect(r).toEqual([{ taskId: 'impl-add', tests: ['t::add'], at: 'lib/add.py:2', output: expect.stringContaining("NameError: name 'c' is not defined") }]);
  });

  it('leaves protected tests (passing or waiting on the baseline) to the regression rules, and reopens nothing without merged tasks', () => {
    const tests = [{ id: 't::add', status: 'failed' as const, detail: tb('lib/add.py:2') }];
    expect(reopenMerged(run(tests), base(['t::add']), dir, merged)).toEqual([]);
    expect(reopenMerged(run(tests), base([], ['t::add']), dir, merged)).toEqual([]);
    expect(reopenMerged(run(tests), base(), dir, [])).toEqual([]);
  });

  it('a suite that does not run because its import fails in a merged task\'s own code reopens that task; one failing in a stub does not', () => {
    const crash = (at: string) => run(null, { crashed: true, exitCode: 4, output: `ImportError while loading conftest 'tests/conftest.py'.\ntests/conftest.py:1: in <module>\n    import lib\n${at}: in add\n    code\nE   RuntimeError: wrong` });
    expect(reopenMerged(crash('lib/add.py:2'), base(), dir, merged)).toEqual([{ taskId: 'impl-add', tests: ['(collection)'], at: 'lib/add.py:2', output: expect.stringContaining('RuntimeError: wrong') }]);
    expect(reopenMerged(crash('lib/mul.py:2'), base(), dir, merged)).toEqual([]);
    const collected = run(null, { crashed: true, collectionErrors: [{ id: 'tests/test_x.py', status: 'failed', collection: true, detail: tb('lib/add.py:2') }] });
    expect(reopenMerged(collected, base(), dir, merged)).toMatchObject([{ taskId: 'impl-add', tests: ['tests/test_x.py'] }]);
  });

  it('names at most a handful of tests per task', () => {
    const tests = Array.from({ length: 9 }, (_, i) => ({ id: `t::add${i}`, status: 'failed' as const, detail: tb('lib/add.py:2') }));
    expect(reopenMerged(run(tests), base(), dir, merged)[0]!.tests).toEqual(['t::add0', 't::add1', 't::add2', 't::add3', 't::add4']);
  });
});
