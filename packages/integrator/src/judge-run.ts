import type { GateMode } from '@caid/core';
import type { VerifyRun } from './run-verify.js';

/** What the gate knows about the tests on one tree it verified. */
export interface GateBaseline {
  readonly counts: import('@caid/core').TestCounts | null;
  readonly passing: ReadonlySet<string>;
  /** False when the suite did not run at all on that tree (no report, a collection error, a runner crash). */
  readonly ran?: boolean;
}

export interface Judgement {
  accepted: boolean;
  /** Tests that passed on the baseline and now fail or are gone. */
  failing: string[];
  /** The suite does not run here although it ran on the baseline. */
  broke: boolean;
}

/**
 * Per-test judgement of one verify run against a baseline. `all`: verify must exit 0.
 * `no-regression`: each test is judged on its own (a setup or teardown error fails its test, not
 * the suite); a suite that did not run on the baseline may still not run, or run with any result.
 */
export function judgeRun(mode: GateMode, against: GateBaseline, run: VerifyRun): Judgement {
  const failing = regressions(against.passing, run);
  if (run.timedOut || run.cancelled) return { accepted: false, failing, broke: false };
  if (mode === 'all') return { accepted: run.exitCode === 0, failing, broke: false };
  if (run.crashed) return { accepted: against.ran === false, failing: [], broke: against.ran !== false };
  if (run.tests === null) return { accepted: false, failing, broke: false };
  return { accepted: failing.length === 0, failing, broke: false };
}

/** Tests that passed on the baseline and now fail or are gone. */
export function regressions(passing: ReadonlySet<string>, run: VerifyRun): string[] {
  if (!run.tests) return [];
  const status = new Map(run.tests.map((t) => [t.id, t.status]));
  return [...passing].filter((id) => status.get(id) !== 'passed');
}

export const passedIds = (run: VerifyRun) => new Set((run.tests ?? []).filter((t) => t.status === 'passed').map((t) => t.id));

/** The baseline a verified run establishes. */
export const baselineOf = (run: VerifyRun, counts: GateBaseline['counts']): GateBaseline => ({ counts, passing: passedIds(run), ran: !run.crashed });
