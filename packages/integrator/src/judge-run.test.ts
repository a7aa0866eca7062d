import { describe, expect, it } from 'vitest';
import { baselineOf, judgeRun, type GateBaseline } from './judge-run.js';
import type { VerifyRun } from './run-verify.js';
import type { TestOutcome } from './junit-report.js';

const run = (tests: Record<string, TestOutcome['status']> | null, over: Partial<VerifyRun> = {}): VerifyRun => ({
  command: 'pytest', exitCode: 1, output: '', timedOut: false, cancelled: false, crashed: false,
  tests: tests && Object.entries(tests).map(([id, status]) => ({ id, status })), ...over,
});
const crashedRun = () => run([] as never, { crashed: true, exitCode: 2, tests: [] });
const base = (passing: string[], ran = true): GateBaseline => ({ counts: null, passing: new Set(passing), ran });

describe('judgeRun (no-regression)', () => {
  it('judges test by test: a test newly failing (a setup error included) is the only reason to refuse', () => {
    expect(judgeRun('no-regression', base(['a']), run({ a: 'passed', b: 'failed' }))).toEqual({ accepted: true, failing: [], broke: false, waiting: [], owned: [] });
    expect(judgeRun('no-regression', base(['a', 'b']), run({ a: 'failed', b: 'passed' }))).toEqual({ accepted: false, failing: ['a'], broke: false, waiting: [], owned: [] });
    // a test that vanished from the report counts as failing
    expect(judgeRun('no-regression', base(['a', 'gone']), run({ a: 'passed' })).failing).toEqual(['gone']);
  });

  it('matches a parametrized case whose id changes every run (built from the clock) by its name, one for one', () => {
    const before = base(['t.py::dt[20:35:17 2026-12-06]', 't.py::dt[12-06-2026 20:35:17]', 't.py::other']);
    const later = { 't.py::dt[20:36:02 2026-12-06]': 'passed', 't.py::dt[12-06-2026 20:36:02]': 'passed', 't.py::other': 'passed' } as const;
    expect(judgeRun('no-regression', before, run(later))).toMatchObject({ accepted: true, failing: [] });
    // one of the renamed cases fails now: one old id is unmatched
    expect(judgeRun('no-regression', before, run({ ...later, 't.py::dt[12-06-2026 20:36:02]': 'failed' })).failing).toHaveLength(1);
    // an old id still reported and failing is a regression whatever else passes; an unparametrized test gone is too
    expect(judgeRun('no-regression', before, run({ ...later, 't.py::dt[20:35:17 2026-12-06]': 'failed' })).failing).toEqual(['t.py::dt[20:35:17 2026-12-06]']);
    expect(judgeRun('no-regression', before, run({ 't.py::dt[20:36:02 2026-12-06]': 'passed', 't.py::dt[12-06-2026 20:36:02]': 'passed' })).failing).toEqual(['t.py::other']);
  });

  it('a suite that ran and no longer runs is refused as broken', () => {
    expect(judgeRun('no-regression', base(['a']), crashedRun())).toEqual({ accepted: false, failing: [], broke: true, waiting: [], owned: [] });
  });

  it('on a base whose suite did not run, a merge is accepted if the suite still does not run or now runs, whatever its results', () => {
    expect(judgeRun('no-regression', base([], false), crashedRun()).accepted).toBe(true);
    expect(judgeRun('no-regression', base([], false), run({ a: 'failed', b: 'passed' })).accepted).toBe(true);
    // once it runs, the normal rules apply
    const now = baselineOf(run({ a: 'failed', b: 'passed' }), null);
    expect(now.ran).toBe(true);
    expect(judgeRun('no-regression', now, crashedRun()).accepted).toBe(false);
    expect(judgeRun('no-regression', now, run({ a: 'passed', b: 'failed' })).failing).toEqual(['b']);
  });

  it('a timeout or a cancelled run is never accepted, even on a base that did not run', () => {
    expect(judgeRun('no-regression', base([], false), run(null, { timedOut: true, exitCode: null })).accepted).toBe(false);
    expect(judgeRun('no-regression', base([], false), run(null, { cancelled: true, exitCode: null })).accepted).toBe(false);
  });

  it('a baseline without `ran` (older callers) is taken as a suite that ran', () => {
    expect(judgeRun('no-regression', { counts: null, passing: new Set() }, crashedRun()).accepted).toBe(false);
  });
});

describe("judgeRun ('all')", () => {
  it('needs exit 0', () => {
    expect(judgeRun('all', base([]), run({ a: 'passed' }, { exitCode: 0 })).accepted).toBe(true);
    expect(judgeRun('all', base([]), run({ a: 'passed' }, { exitCode: 1 })).accepted).toBe(false);
  });
});
