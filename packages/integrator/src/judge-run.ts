import type { GateMode } from '@caid/core';
import type { VerifyRun } from './run-verify.js';
import type { Owned, Waiting } from './attribute-failure.js';

/** What the gate knows about the tests on one tree it verified. */
export interface GateBaseline {
  readonly counts: import('@caid/core').TestCounts | null;
  readonly passing: ReadonlySet<string>;
  /** False when the suite did not run at all on that tree (no report, a collection error, a runner crash). */
  readonly ran?: boolean;
  /** Tests that newly failed while waiting on unfinished code: judged again at every later merge. */
  readonly waiting?: ReadonlySet<string>;
}

/** Says why a newly failing test is not the merge's fault, or null. */
export type Attribute = (test: string, detail: string | undefined) => Waiting | null;

/** Names the merged task whose own code a still-failing test fails in, or null. */
export type Blame = (test: string, detail: string | undefined) => Owned | null;

export interface Judgement {
  accepted: boolean;
  /** Tests that passed on the baseline and now fail or are gone. */
  failing: string[];
  /** The suite does not run here although it ran on the baseline. */
  broke: boolean;
  /** Newly failing tests excused because they wait on unfinished code. */
  waiting: Waiting[];
  /** Tests that failed before and still fail, now in code the merged task wrote (`no-regression` with `blame`). */
  owned: Owned[];
}

/**
 * Per-test judgement of one verify run against a baseline. `all`: verify must exit 0.
 * `no-regression`: each test is judged on its own (a setup or teardown error fails its test, not
 * the suite); a suite that did not run on the baseline may still not run, or run with any result.
 */
export function judgeRun(mode: GateMode, against: GateBaseline, run: VerifyRun, attribute?: Attribute, blame?: Blame): Judgement {
  const protectedIds = new Set([...against.passing, ...(against.waiting ?? [])]);
  const all = regressions(protectedIds, run);
  const details = new Map((run.tests ?? []).map((t) => [t.id, t.detail]));
  const waiting: Waiting[] = [];
  const failing: string[] = [];
  for (const id of all) {
    const w = mode === 'no-regression' && attribute ? attribute(id, details.get(id)) : null;
    if (w) waiting.push(w);
    else failing.push(id);
  }
  // A test that did not pass before and fails now is no regression, but when it fails in code the
  // merge itself wrote (no stub), the merge is its cause: a wrong implementation must go back.
  const owned: Owned[] = [];
  if (mode === 'no-regression' && blame) {
    for (const t of run.tests ?? []) {
      if (t.status !== 'failed' || protectedIds.has(t.id)) continue;
      const b = blame(t.id, t.detail);
      if (b) owned.push(b);
    }
  }
  if (run.timedOut || run.cancelled) return { accepted: false, failing, broke: false, waiting, owned };
  if (mode === 'all') return { accepted: run.exitCode === 0, failing, broke: false, waiting: [], owned: [] };
  if (run.crashed) {
    // Still not running on a base that did not run is fine, unless the import now fails in code the merge wrote.
    // No report at all (pytest exit 4: a conftest that cannot import): the traceback is only in the output.
    const sources = run.collectionErrors?.length ? run.collectionErrors.map((c) => [c.id, c.detail] as const) : [['(collection)', run.output] as const];
    const blamed = mode === 'no-regression' && blame ? sources.map(([id, d]) => blame(id, d)).filter((b): b is Owned => b !== null) : [];
    return { accepted: against.ran === false && blamed.length === 0, failing: [], broke: against.ran !== false, waiting: [], owned: blamed };
  }
  if (run.tests === null) return { accepted: false, failing, broke: false, waiting, owned };
  return { accepted: failing.length === 0 && owned.length === 0, failing, broke: false, waiting, owned };
}

/**
 * Tests that passed on the baseline and now fail or are gone. A parametrized test whose parameter
 * id changes from run to run (built from the clock or a random value: marshmallow's
 * `test_invalid_datetime_deserialization[20:35:17 2026-12-06]`) is gone under its old id and new
 * under another; it is matched by its name without the brackets, one new passing id for each gone
 * one, so only a real loss of passing cases counts.
 */
export function regressions(passing: ReadonlySet<string>, run: VerifyRun): string[] {
  if (!run.tests) return [];
  const status = new Map(run.tests.map((t) => [t.id, t.status]));
  const renamed = new Map<string, number>();
  for (const t of run.tests) {
    const s = stem(t.id);
    if (t.status === 'passed' && s !== t.id && !passing.has(t.id)) renamed.set(s, (renamed.get(s) ?? 0) + 1);
  }
  return [...passing].filter((id) => {
    if (status.get(id) === 'passed') return false;
    const s = stem(id);
    const n = renamed.get(s) ?? 0;
    if (status.get(id) !== undefined || s === id || n === 0) return true;
    renamed.set(s, n - 1);
    return false;
  });
}

/** A test id without its parameter part (`test_x[a-1]` → `test_x`). */
const stem = (id: string) => id.replace(/\[.*\]$/s, '');

export const passedIds = (run: VerifyRun) => new Set((run.tests ?? []).filter((t) => t.status === 'passed').map((t) => t.id));

/** The baseline a verified run establishes. */
export const baselineOf = (run: VerifyRun, counts: GateBaseline['counts'], waiting: Waiting[] = []): GateBaseline => ({
  counts, passing: passedIds(run), ran: !run.crashed, waiting: new Set(waiting.map((w) => w.test)),
});
