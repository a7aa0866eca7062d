import { goalUnmet, type RunState } from '@caid/core';
import type { ScheduleOptions } from './schedule-options.js';
import type { RunView } from './run-view.js';

/**
 * Once nothing is in flight: the final review (if any), then `run.finished` with the run's status.
 * Every task merged is not the goal reached when the gate let red tests stay red (no-regression on
 * a red base): that run is `incomplete`. An abort is `cancelled`, unless `failure` says why it failed.
 */
export async function finishRun(o: ScheduleOptions, run: RunView, aborted: () => boolean): Promise<RunState> {
  const last = aborted() ? null : await o.beforeFinish?.(run.state);
  if (last) await run.emit(last);
  const all = Object.values(run.state.tasks);
  const done = !aborted() && all.every((t) => t.status === 'merged' || t.superseded);
  const unmet = done ? goalUnmet(run.state) : undefined;
  const failure = aborted() ? o.failure?.() : undefined;
  const status = failure ? 'failed' : aborted() ? 'cancelled' : !done ? 'failed' : unmet ? 'incomplete' : 'succeeded';
  const stop = failure ?? (status === 'failed' ? o.shouldStop?.(run.state) : unmet ? { reason: 'tests-failing', message: unmet } : undefined);
  await run.emit({ type: 'run.finished', status, commit: run.state.head, ...stop });
  return run.state;
}
