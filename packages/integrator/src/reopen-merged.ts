import type { GateReport } from '@caid/core';
import { tailOutput } from '@caid/agent';
import { blameOwned, type PendingTask } from './attribute-failure.js';
import type { GateBaseline } from './judge-run.js';
import type { VerifyRun } from './run-verify.js';

/** Tests named per reopened task: enough for its agent to start from, not a whole suite's worth. */
const MAX_TESTS = 5;

/**
 * Tests that fail in code an already merged task wrote: that task's bug, not the merge's (a wrong
 * first attempt merged while the stubbed package could not even be imported). Judged like
 * `blameOwned` (innermost frame in a file the task owns, no stub, not an error on a stub's None,
 * not a timeout, not waiting on a task in `pending`). Tests protected on `against` (passing or waiting there) are left to the
 * regression rules: one that passed and now fails is this merge's doing. A suite that does not run
 * because its import fails in such code (a collection error, or no report at all) reopens that
 * task too, with the collection error as its failing "test": nothing else would ever fix it.
 */
export function reopenMerged(run: VerifyRun, against: GateBaseline, cwd: string, merged: readonly PendingTask[], pending: readonly PendingTask[] = []): NonNullable<GateReport['reopen']> {
  if (!merged.length || run.timedOut || run.cancelled) return [];
  const failed = run.crashed
    ? (run.collectionErrors?.length ? run.collectionErrors : [{ id: '(collection)', message: undefined, detail: run.output }])
    : (run.tests ?? []).filter((t) => t.status === 'failed' && !against.passing.has(t.id) && !against.waiting?.has(t.id));
  const byTask = new Map<string, { tests: string[]; at: string; output: string[] }>();
  for (const t of failed) {
    const b = blameOwned(t.id, t.detail, cwd, merged, pending);
    if (!b) continue;
    const r = byTask.get(b.task) ?? { tests: [], at: b.at, output: [] };
    byTask.set(b.task, r);
    if (r.tests.length >= MAX_TESTS) continue;
    r.tests.push(t.id);
    r.output.push(`- ${t.id} (fails at ${b.at})${t.message ? `: ${t.message.split('\n').slice(0, 6).join('\n    ')}` : ''}\n${tailOutput(t.detail ?? '', 1200)}`);
  }
  return [...byTask].map(([taskId, r]) => ({ taskId, tests: r.tests, at: r.at, output: r.output.join('\n') }));
}
