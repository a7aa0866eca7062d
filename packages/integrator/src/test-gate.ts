import type { GateMode, GateReport, TestCounts } from '@caid/core';
import { tailOutput } from '@caid/agent';
import { countTests, runVerify, type VerifyOptions, type VerifyRun } from './run-verify.js';
import { baselineOf, judgeRun, type Attribute, type Blame, type GateBaseline } from './judge-run.js';
import { attributeFailure, blameOwned, type Owned, type PendingTask } from './attribute-failure.js';
import { reopenMerged } from './reopen-merged.js';

export type { GateBaseline } from './judge-run.js';

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

export interface EvaluateOptions {
  /** Judge against this baseline (a bisection probe's green prefix); default: the current head's. */
  against?: GateBaseline;
  /** False: a rejected result is final (not rerun to tell flaky tests apart). */
  retry?: boolean;
  /** What the plan says is still to come: tasks not merged (excluding those in the evaluated tree) and their files. */
  context?: GateContext;
}

export interface GateContext {
  pending?: readonly PendingTask[];
  /** The tasks merged in the evaluated tree and not yet on the baseline, with their files: a test failing in their own code is theirs. */
  merging?: readonly PendingTask[];
  /** The tasks merged before (on the baseline), with their files: a test failing in their own code reopens them. */
  merged?: readonly PendingTask[];
}

/**
 * The run-level verify as a gate. `all`: verify must exit 0. `no-regression`: every test that
 * passes on the integration head must still pass, judged test by test; a suite that runs must
 * keep running. A newly failing test is rerun once; one that passes then is flaky, not a regression.
 */
export class TestGate {
  private base: GateBaseline;

  private constructor(readonly command: string, readonly mode: GateMode, readonly reason: string, private readonly o: Omit<VerifyOptions, 'cwd'>, base: VerifyRun) {
    this.baseCounts = base.tests ? countTests(base.tests) : null;
    this.base = baselineOf(base, this.baseCounts);
  }

  readonly baseCounts: TestCounts | null;

  /** Runs verify on the base to learn what passes, and picks the mode when none is forced. */
  static async open(command: string, cwd: string, forced: GateMode | undefined, o: Omit<VerifyOptions, 'cwd'>): Promise<TestGate> {
    const base = await runVerify(command, { ...o, cwd });
    const green = base.exitCode === 0;
    if (forced) return new TestGate(command, forced, `--gate ${forced}${green ? '' : ' (verify fails on the base)'}`, o, base);
    if (green) return new TestGate(command, 'all', 'verify passes on the base, so every merge must keep it passing', o, base);
    if (base.crashed) return new TestGate(command, 'no-regression', 'the test suite does not run on the base (collection or import error, or no report), so a merge is accepted while it still does not run; once it runs, a merge may not break a passing test', o, base);
    // Said with why it failed: a mistyped command (`npm tset`, `pytset`) lands here, and the user saw
    // only that every task then failed verify.
    if (!base.tests) return new TestGate(command, 'all', `verify fails on the base (${baseExcerpt(base)}) and caid cannot read per-test results from it (set verifyReport); every merge must make it pass`, o, base);
    const c = countTests(base.tests);
    return new TestGate(command, 'no-regression', `verify fails on the base (${c.passed}/${c.total} tests pass), so a merge may not break a passing test`, o, base);
  }

  /** The baseline of the current verified integration head. */
  current(): GateBaseline {
    return this.base;
  }

  /**
   * Runs verify in `cwd` and judges it against `against` (default: the current head's). Does not
   * move the baseline. A rejected result is rerun once before it counts unless `retry` is false.
   */
  async evaluate(cwd: string, o: EvaluateOptions = {}): Promise<GateVerdict> {
    const against = o.against ?? this.base;
    const attribute: Attribute = (test, detail) => attributeFailure(test, detail, cwd, o.context?.pending ?? []);
    const blame: Blame = (test, detail) => blameOwned(test, detail, cwd, o.context?.merging ?? [], o.context?.pending ?? []);
    const first = await runVerify(this.command, { ...this.o, cwd });
    let final = first;
    let j = judgeRun(this.mode, against, first, attribute, blame);
    let flaky: string[] = [];
    // Only test failures are worth a second run; a timeout or a crash would just cost the time again,
    // and so would tests failing in the merged task's own code: they never passed, so none is flaky.
    if (o.retry !== false && !j.accepted && !(j.owned.length > 0 && j.failing.length === 0) && !first.timedOut && !first.cancelled && !first.crashed) {
      final = await runVerify(this.command, { ...this.o, cwd });
      const again = judgeRun(this.mode, against, final, attribute, blame);
      flaky = j.failing.filter((id) => !again.failing.includes(id));
      j = again;
    }
    const tests = final.tests ? countTests(final.tests) : null;
    // A test failing in the merged task's own code is listed with the newly failing ones: it is why the merge goes back.
    const newlyFailing = [...j.failing, ...j.owned.map((w) => w.test).filter((id) => !j.failing.includes(id))];
    // Only an accepted merge reveals anything about earlier ones: a rejected one is judged again later.
    const reopen = j.accepted && this.mode === 'no-regression' ? reopenMerged(final, against, cwd, o.context?.merged ?? [], o.context?.pending ?? []) : [];
    const report: GateReport = {
      mode: this.mode, accepted: j.accepted, tests, newlyFailing, flaky, ...(j.waiting.length ? { waiting: j.waiting } : {}), ...(reopen.length ? { reopen } : {}),
    };
    return { report, output: explain(final, j.failing, j.broke, j.owned), exitCode: final.exitCode, baseline: baselineOf(final, tests, j.waiting), cancelled: final.cancelled };
  }

  /** The integration branch moved to the head this verdict verified. */
  advance(v: GateVerdict): void {
    this.base = v.baseline;
  }

  async check(cwd: string): Promise<GateVerdict> {
    const v = await this.evaluate(cwd);
    if (v.report.accepted) this.advance(v);
    return v;
  }
}

function explain(run: VerifyRun, failing: string[], broke: boolean, owned: Owned[] = []): string {
  const messages = new Map((run.tests ?? []).map((t) => [t.id, t.message]));
  const named = failing.map((id) => `- ${id}${messages.get(id) ? `: ${messages.get(id)!.split('\n').slice(0, 6).join('\n    ')}` : ' (no longer reported: removed or not collected)'}`);
  const yours = owned.map((w) => `- ${w.test} (fails at ${w.at})${messages.get(w.test) ? `: ${messages.get(w.test)!.split('\n').slice(0, 6).join('\n    ')}` : ''}`);
  const why = run.timedOut ? 'verify timed out' : broke ? 'the test suite ran before your merge and no longer runs (collection or import error, or no report)' : '';
  return [
    ...(named.length ? ['Tests that passed before your merge and fail after it:', ...named, ''] : []),
    ...(yours.length ? ['Tests that fail in the code your task wrote (not in a stub or in unfinished work):', ...yours, ''] : []),
    ...(why ? [`Note: ${why}.`, ''] : []),
    'End of the verify output:',
    tailOutput(run.output, named.length || yours.length ? 3000 : 6000),
  ].join('\n');
}

/** Why verify failed on the base, in one line: its exit and the first line naming an error (else its last line). */
function baseExcerpt(run: VerifyRun): string {
  const lines = run.output.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /error|not found|no such|missing|cannot|unknown/i.test(l)) ?? lines.at(-1) ?? '';
  const exit = run.timedOut ? 'timed out' : `exit ${run.exitCode ?? '?'}`;
  return line ? `${exit}: ${line.length > 160 ? `${line.slice(0, 157)}...` : line}` : exit;
}
