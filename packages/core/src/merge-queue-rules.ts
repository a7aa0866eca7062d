import type { RunState } from './reduce.js';
import type { RoundEnd } from './round-times.js';

/**
 * Which waiting tasks form the next batch, in merge order. Tasks back from a conflict round go
 * first: their resolution was made against the current head, and merging another writer of the
 * same file before them would make it stale. Then the most critical (highest bottom level), then
 * the order they finished in. Waiting tasks never depend on each other (a task starts only once
 * its dependencies are merged), so any order is consistent with the graph; a dependency that is
 * somehow waiting too still goes first. Pure.
 */
export function pickBatch(waiting: readonly string[], s: RunState, levels: ReadonlyMap<string, number>, max: number): string[] {
  const arrival = new Map(waiting.map((id, i) => [id, i]));
  const resolved = (id: string) => ((s.tasks[id]?.conflicts ?? 0) + (s.tasks[id]?.staleConflicts ?? 0) > 0 ? 1 : 0);
  const sorted = [...waiting].sort((a, b) => resolved(b) - resolved(a)
    || (levels.get(b) ?? 0) - (levels.get(a) ?? 0)
    || arrival.get(a)! - arrival.get(b)!);
  const picked = sorted.slice(0, max);
  const inBatch = new Set(picked);
  const ordered: string[] = [];
  const visit = (id: string) => {
    if (!inBatch.delete(id)) return;
    for (const d of s.tasks[id]?.dependsOn ?? []) visit(d);
    ordered.push(id);
  };
  for (const id of picked) visit(id);
  return ordered;
}

/** The longest a batch ever waits under `auto`, however slow the suite. */
export const MAX_AUTO_BATCH_WAIT_MS = 60_000;

/**
 * How long a free verify lane waits before it verifies a batch that is not full, while other
 * tasks are still running (a batch delay, as merge queues for people have): every task that
 * finishes meanwhile joins this batch instead of paying a verify of its own. `auto` waits a fifth
 * of the last verify's duration (unknown: no wait), at most a minute. 0 when waiting cannot help:
 * the batch is full, or no task is running that could still join it.
 *
 * `extended`: that wait ran out, and `auto` may wait once more for running rounds predicted to end
 * (`roundEnds`, see predictedRoundEnds) within the rest of one verify: until the latest of them is
 * worth waiting for, and not at all (0: the batch goes now) once none is. A task that ends during
 * this batch's verify would wait for it and then pay its own; waiting for it costs at most the
 * wait. The whole wait stays within the last verify's duration. A number is never extended. Pure.
 */
export function batchWaitMs(o: {
  setting: number | 'auto'; waiting: number; batchMax: number; running: number; lastVerifyMs?: number; roundEnds?: readonly RoundEnd[]; extended?: boolean;
}): number {
  if (o.waiting >= o.batchMax || o.running === 0) return 0;
  if (o.setting !== 'auto') return o.extended ? 0 : o.setting;
  if (!o.lastVerifyMs) return 0;
  const first = Math.min(MAX_AUTO_BATCH_WAIT_MS, Math.round(o.lastVerifyMs / 5));
  if (!o.extended) return first;
  const rest = Math.min(MAX_AUTO_BATCH_WAIT_MS, o.lastVerifyMs) - first;
  const due = (o.roundEnds ?? []).filter((e) => e.expectedMs <= rest);
  return Math.ceil(Math.min(rest, Math.max(0, ...due.map((e) => e.latestMs))));
}

/**
 * One step of finding the first bad prefix of a red batch by halving. `lo` prefixes are known
 * green (0 = the verified head), `hi` known red. Returns the prefix length to verify next, or
 * null when `hi` is the first red prefix (its last task is the culprit). Pure.
 */
export function nextProbe(lo: number, hi: number): number | null {
  return hi - lo > 1 ? Math.floor((lo + hi) / 2) : null;
}
