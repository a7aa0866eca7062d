import type { IntegrationOutcome, Task, TaskResult } from '@caid/core';
import { batchIntegrator, type IntegratorOptions } from './merge-batch.js';

export type { IntegratorOptions } from './merge-batch.js';

/**
 * One finished task at a time: a batch of one. Returns null when the run was interrupted before
 * the task's outcome was known (an interrupt is not an outcome).
 */
export function integrator(o: IntegratorOptions) {
  const integrateBatch = batchIntegrator(o);
  let batches = 0;
  return async function integrate(result: TaskResult, task: Pick<Task, 'title' | 'verify'>): Promise<IntegrationOutcome | null> {
    let outcome: IntegrationOutcome | null = null;
    await integrateBatch([{ result, task }], {
      report: async (_r, out) => { outcome = out; },
      event: async () => undefined,
      nextBatch: () => ++batches,
    });
    return outcome;
  };
}
