import path from 'node:path';
import { summarize } from '@caid/core';
import { Repo } from '@caid/git';
import { loadRunState } from '@caid/orchestrator';
import { formatState } from './format-state.js';

/** `caid status [runId]`: the fold of the run's log. */
export async function statusCommand(runId: string | undefined, f: { repo: string; json?: boolean }): Promise<number> {
  const repo = await Repo.open(path.resolve(f.repo)).catch(() => null);
  const state = loadRunState(repo?.root ?? path.resolve(f.repo), runId);
  if (f.json) process.stdout.write(`${JSON.stringify({ ...summarize(state), mergeOrder: state.mergeOrder, tasks: state.order.map((id) => {
    const t = state.tasks[id]!;
    return { id, status: summarize(state).tasks.find((x) => x.id === id)!.status, attempts: t.attempts, conflicts: t.conflicts, reason: t.reason, step: t.step, usage: t.usage, tests: t.tests };
  }) })}\n`);
  else process.stdout.write(`${formatState(state)}\n`);
  return 0;
}
