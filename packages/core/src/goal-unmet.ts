import type { RunState } from './reduce.js';

/**
 * Why a run whose every task merged has still not reached its goal, or undefined when it has: under
 * the `no-regression` gate (chosen because verify failed on the base) merges only had to keep passing
 * tests passing, so the last verify may still be red. A plan with `partialProgress: true` says
 * progress is the goal; a run without verify has nothing to judge.
 */
export function goalUnmet(s: RunState): string | undefined {
  if (s.gate?.mode !== 'no-regression' || s.settings?.partialProgress) return undefined;
  const last = s.testHistory.at(-1);
  if (last && last.failed === 0 && last.passed === last.total && last.total > 0) return undefined;
  const merged = Object.values(s.tasks).filter((t) => t.status === 'merged').length;
  const tests = last ? `${last.passed} of ${last.total} tests pass` : 'the test suite still does not run to a report';
  return `every task merged (${merged}), but ${tests} at the end: the gate only kept passing tests passing (no-regression), so the goal is not reached (set partialProgress: true in the plan when progress is the goal)`;
}
