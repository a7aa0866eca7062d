import type { IntegrationOutcome, TaskResult } from '@caid/core';
import type { ScheduleOptions } from './schedule-options.js';

/**
 * A merge queue integrator from a one-task merge: each task of a batch is merged on its own, in
 * batch order, and reported as soon as its outcome is known. For integrations that need no shared
 * verify (and for tests of the scheduler itself).
 */
export function oneByOne(merge: (result: TaskResult) => Promise<IntegrationOutcome>): ScheduleOptions['integrate'] {
  return async (results, _state, hooks) => {
    for (const r of results) await hooks.report(r, await merge(r));
  };
}
