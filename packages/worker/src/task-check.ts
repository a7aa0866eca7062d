import type { TaskJob } from '@caid/core';
import type { Worktree } from '@caid/git';
import { runShell, tailOutput } from '@caid/agent';
import { taskEnv } from './prepare-round.js';

/**
 * A task's own check (`verify:` on the task), run in its worktree each time the agent calls
 * `finish`: red refuses the finish with the output, so red work never reaches a merge. After
 * `attempts` red runs the finish is let through and `gaveUp` tells the worker to fail the task.
 */
export function taskCheck(job: TaskJob, wt: Worktree, o: { timeoutSec: number; attempts: number; signal: AbortSignal }) {
  let failures = 0;
  return {
    get failures() { return failures; },
    get gaveUp() { return failures >= o.attempts; },
    async run(): Promise<string | null> {
      if (!job.task.verify || failures >= o.attempts) return null;
      const r = await runShell(job.task.verify, { cwd: wt.path, timeoutMs: o.timeoutSec * 1000, env: taskEnv(job, wt.path), signal: o.signal });
      if (r.exitCode === 0) return null;
      failures++;
      if (failures >= o.attempts) return null;
      return `your task's check \`${job.task.verify}\` failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`}). Fix it, then call finish again.\n${tailOutput(r.output, 3000)}`;
    },
  };
}
