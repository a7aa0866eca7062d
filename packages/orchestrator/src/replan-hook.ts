import type { NewRunEvent, RunState, Task } from '@caid/core';

export type Replanner = (o: { failedTaskId: string; reason: string; state: RunState; dir: string }) => Promise<Task[] | null>;

/**
 * The scheduler's replan hook, bounded: at most `max` revisions per run. A revision lists the
 * tasks still to run; pending tasks it leaves out are dropped. `dir` gives the folder the
 * planner reads (the integration worktree at the integration head), asked for only on a replan.
 */
export function replanHook(replan: Replanner, max: number, dir: () => Promise<string>) {
  let used = 0;
  return async (failedTaskId: string, reason: string, state: RunState): Promise<NewRunEvent | null> => {
    if (used >= max) return null;
    used++;
    const tasks = await replan({ failedTaskId, reason, state, dir: await dir() });
    if (!tasks) return null;
    const kept = new Set(tasks.map((t) => t.id));
    const dropped = state.order.filter((id) => state.tasks[id]!.status === 'pending' && !kept.has(id));
    return { type: 'plan.revised', failedTaskId, reason, tasks, dropped };
  };
}
