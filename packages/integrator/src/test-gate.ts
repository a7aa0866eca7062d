import type { GateMode, GateReport, TestCounts } from '@caid/core';
import { tailOutput } from '@caid/agent';
import { countTests, runVerify, type VerifyOptions, type VerifyRun } from './run-verify.js';

export interface GateVerdict {
  report: GateReport;
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
  private passing: Set<string>;

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

  async check(cwd: string): Promise<GateVerdict> {
    const first = await runVerify(this.command, { ...this.o, cwd });
    let final = first;
    let failing = this.regressions(first);
    let flaky: string[] = [];
    // Only test failures are worth a second run; a timeout or a crash would just cost the time again.
    if (!this.accepts(first, failing) && !first.timedOut && !first.cancelled && !first.crashed) {
      final = await runVerify(this.command, { ...this.o, cwd });
      const still = this.regressions(final);
      flaky = failing.filter((id) => !still.includes(id));
      failing = still;
    }
    const accepted = this.accepts(final, failing);
    if (accepted) this.passing = new Set([...passedIds(final)]);
    const report: GateReport = { mode: this.mode, accepted, tests: final.tests ? countTests(final.tests) : null, newlyFailing: failing, flaky };
    return { report, output: explain(final, failing), exitCode: final.exitCode };
  }

  private accepts(run: VerifyRun, regressions: string[]): boolean {
    if (run.timedOut || run.cancelled) return false;
    if (this.mode === 'all') return run.exitCode === 0;
    return !run.crashed && run.tests !== null && regressions.length === 0;
  }

  /** Tests that passed on the integration head and now fail or are gone. */
  private regressions(run: VerifyRun): string[] {
    if (!run.tests) return [];
    const status = new Map(run.tests.map((t) => [t.id, t.status]));
    return [...this.passing].filter((id) => status.get(id) !== 'passed');
  }
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
