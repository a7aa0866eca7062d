import { initialState, reduce } from '@caid/core';
import { memoryQueue, oneByOne, schedule } from '@caid/scheduler';

const ZERO = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

/**
 * Runs a plan through the real `schedule()` and `memoryQueue()` with a simulated executor: each
 * task's handler waits `sleep(duration)` and reports success; integration merges at once. A
 * task's `estimate`, if any, goes into the plan the scheduler sees; `duration` never does.
 * `append(event)` replaces the in-memory fold when a benchmark wants the real run log.
 */
export async function simulatedRun(plan, { workers, sleep, append, runId = 'bench-run' }) {
  const queue = memoryQueue();
  const duration = new Map(plan.map((t) => [t.id, t.duration ?? 0]));
  queue.process(async (job) => {
    const d = duration.get(job.task.id);
    if (d > 0) await sleep(d);
    return { taskId: job.task.id, attempt: job.attempt, status: 'done', commit: `c-${job.task.id}`, steps: 1, usage: ZERO };
  }, { concurrency: workers });

  let state = initialState();
  const fold = append ?? ((e) => (state = reduce(state, { ...e, at: '' })));
  const tasks = plan.map((t) => ({ id: t.id, prompt: `do ${t.id}`, dependsOn: t.dependsOn, files: [], ...(t.estimate !== undefined && { estimate: t.estimate }) }));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const started = fold({
    type: 'run.started', runId, goal: 'benchmark', repo: '/bench', base: 'HEAD', baseCommit: 'c0',
    branch: `caid/${runId}/integration`, worktreeRoot: '/bench/wt', workers, tasks,
  });
  let merges = 0;
  return schedule({
    state: started,
    emit: async (e) => fold(e),
    queue,
    integrate: oneByOne(async (r) => ({ kind: 'merged', commit: `m${++merges}`, taskCommit: r.commit })),
    makeJob: (taskId, attempt, round) => ({ runId, repo: '/bench', worktreeRoot: '/bench/wt', task: byId.get(taskId), attempt, round }),
    limits: { conflictRounds: 2, verifyAttempts: 2 },
  });
}
