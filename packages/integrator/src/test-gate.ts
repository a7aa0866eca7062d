import type { GateMode, GateReport, TestCounts } from '@caid/core';
import { tailOutput } from '@caid/agent';
import { countTests, runVerify, type VerifyOptions, type VerifyRun } from './run-verify.js';

/** What the gate knows about the tests on one verified integration head. */
export interface GateBaseline {
  readonly counts: TestCounts | null;
  readonly passing: ReadonlySet<string>;
}

export interface GateVerdict {
  report: GateReport;
  /** The baseline this run establishes if the branch moves to the head it verified. */
  baseline: GateBaseline;
  /** The run was interrupted: not a gate outcome. */
  cancelled: boolean;
  /** For the agent: the tests that newly fail with their messages, then the end of the output. */
  output: string;
  exitCode: number | null;
}

/**
 * The run-level verify as a gate. `all`: verify must exit 0. `no-regression`: every test that
 * passes on the integration head must still pass and the suite must still run. A newly failing
 * test is rerun once; one that passes then is flaky, not a regression.
 */
export class TestGate {
  private passing: ReadonlySet<string>;

  private constructor(readonly command: string, readonly mode: GateMode, readonly reason: string, private readonly o: Omit<VerifyOptions, 'cwd'>, base: VerifyRun) {
    this.passing = passedIds(base);
    this.baseCounts = base.tests ? countTests(base.tests) : null;
  }

  readonly baseCounts: TestCounts | null;

  /** Runs verify on the base to learn what passes, and picks the mode when none is forced. */
  static async open(command: string, cwd: string, forced: GateMode | undefined, o: Omit<VerifyOptions, 'cwd'>): Promise<TestGate> {
    const base = await runVerify(command, { ...o, cwd });
    const green = base.exitCode === 0;
    if (forced) return new TestGate(command, forced, `--gate ${forced}${green ? '' : ' (verify fails on the base)'}`, o, base);
    if (green) return new TestGate(command, 'all', 'verify passes on the base, so every merge must keep it passing', o, base);
    if (!base.tests) return new TestGate(command, 'all', 'verify fails on the base and caid cannot read per-test results from it (set verifyReport); every merge must make it pass', o, base);
    const c = countTests(base.tests);
    return new TestGate(command, 'no-regression', `verify fails on the base (${c.passed}/${c.total} tests pass), so a merge may not break a passing test`, o, base);
  }

  /** The baseline of the current verified integration head. */
  current(): GateBaseline {
    return { counts: null, passing: this.passing };
  }

  /**
   * Runs verify in `cwd` and judges it against `against` (default: the current head's). Does not
   * move the baseline. A rejected result is rerun once before it counts unless `retry` is false.
   */
  async evaluate(cwd: string, o: { against?: GateBaseline; retry?: boolean } = {}): Promise<GateVerdict> {
    const passing = o.against?.passing ?? this.passing;
    const first = await runVerify(this.command, { ...this.o, cwd });
    let final = first;
    let failing = regressions(passing, first);
    let flaky: string[] = [];
    // Only test failures are worth a second run; a timeout or a crash would just cost the time again.
    if (o.retry !== false && !this.accepts(first, failing) && !first.timedOut && !first.cancelled && !first.crashed) {
      final = await runVerify(this.command, { ...this.o, cwd });
      const still = regressions(passing, final);
      flaky = failing.filter((id) => !still.includes(id));
      failing = still;
    }
    const accepted = this.accepts(final, failing);
    const tests = final.tests ? countTests(final.tests) : null;
    const report: GateReport = { mode: this.mode, accepted, tests, newlyFailing: failing, flaky };
    return { report, output: explain(final, failing), exitCode: final.exitCode, baseline: { counts: tests, passing: passedIds(final) }, cancelled: final.cancelled };
  }

  /** The integration branch moved to the head this verdict verified. */
  advance(v: GateVerdict): void {
    this.passing = new Set(v.baseline.passing);
  }

  async check(cwd: string): Promise<GateVerdict> {
    const v = await this.evaluate(cwd);
    if (v.report.accepted) this.advance(v);
    return v;
  }

  private accepts(run: VerifyRun, regressions: string[]): boolean {
    if (run.timedOut || run.cancelled) return false;
    if (this.mode === 'all') return run.exitCode === 0;
    return !run.crashed && run.tests !== null && regressions.length === 0;
  }
}

/** Tests that passed on the integration head and now fail or are gone. */
function regressions(passing: ReadonlySet<string>, run: VerifyRun): string[] {
  if (!run.tests) return [];
  const status = new Map(run.tests.map((t) => [t.id, t.status]));
  return [...passing].filter((id) => status.get(id) !== 'passed');
}

const passedIds = (run: VerifyRun) => new Set((run.tests ?? []).filter((t) => t.status === 'passed').map((t) => t.id));

function explain(run: VerifyRun, failing: string[]): string {
  const messages = new Map((run.tests ?? []).map((t) => [t.id, t.message]));
  const named = failing.map((id) => `- ${id}${messages.get(id) ? `: ${messages.get(id)!.split('\n').slice(0, 6).join('\n    ')}` : ' (no longer reported: removed or not collected)'}`);
  const why = run.timedOut ? 'verify timed out' : run.crashed ? 'the test suite no longer runs (collection or import error, or no report)' : '';
  return [
    ...(named.length ? ['Tests that passed before your merge and fail after it:', ...named, ''] : []),
    ...(why ? [`Note: ${why}.`, ''] : []),
    'End of the verify output:',
    tailOutput(run.output, named.length ? 3000 : 6000),
  ].join('\n');
}
