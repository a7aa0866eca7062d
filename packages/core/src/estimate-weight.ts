import type { Task } from './plan.js';

/**
 * Each task's weight in bottom levels: its size estimate, or the mean of the known estimates.
 * Estimates are relative, so dispatch must depend only on their ratios: defaulting to the mean
 * (not to 1) keeps estimates of 2, 4, 8 and of 1, 2, 4 dispatching alike, and since a bottom level
 * adds sizes along a path, the arithmetic mean is the expected size of a task nobody estimated.
 * With no estimate at all every task weighs 1: the bottom level counted in tasks.
 */
export function estimateWeight(tasks: readonly Pick<Task, 'id' | 'estimate'>[]): (id: string) => number {
  const known = tasks.flatMap((t) => (t.estimate === undefined ? [] : [t.estimate]));
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const weight = new Map(tasks.map((t) => [t.id, t.estimate ?? mean]));
  return (id) => weight.get(id) ?? mean;
}
