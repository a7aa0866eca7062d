import type { RunState } from '@caid/core';

/** The exit code of `caid run` / `caid resume` for a run that ended (README, "Exit codes"). */
export function runExitCode(status: RunState['status']): number {
  switch (status) {
    case 'succeeded': return 0;
    // Every task merged, but the final tests are not all green: the work is there, the goal is not.
    case 'incomplete': return 3;
    case 'cancelled': return 130;
    default: return 1;
  }
}
