import { integrationBranch, type TaskJob, type TaskProgress } from '@caid/core';
import { fetchRefs, trialMerge, type Repo } from '@caid/git';
import type { Transcript } from './transcript.js';

/**
 * Early conflict warnings: every `job.conflictWarnings` agent steps, the worktree's current state
 * is trial-merged with the integration head as it is now. A coming conflict is told to the agent
 * (returned as the text of a user message) and reported as progress with a `warning`, which the
 * scheduler logs as `task.conflict-warning`. The same conflict is told once, not at every check.
 * Returns undefined when warnings are off or cannot apply (an external agent, a conflict round).
 */
export function conflictWarner(
  job: TaskJob, repo: Repo, worktree: string, transcript: Transcript,
  progress: (p: TaskProgress) => void,
): ((step: number) => Promise<string | undefined>) | undefined {
  const every = job.conflictWarnings ?? 0;
  // A conflict round is already resolving a conflict; its merge state is not a work in progress.
  if (every <= 0 || job.round.kind === 'conflict') return undefined;
  let told = '';
  return async (step) => {
    if (step % every !== 0) return undefined;
    try {
      const head = await integrationHead(job, repo);
      if (!head) return undefined;
      const { conflicts, tasks } = await trialMerge(worktree, head);
      const key = JSON.stringify([conflicts, tasks]);
      if (!conflicts.length || key === told) return undefined;
      told = key;
      progress({ step, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, warning: { paths: conflicts, tasks } });
      transcript.append({ t: 'note', text: `conflict warning at step ${step}: ${conflicts.join(', ')}${tasks.length ? ` (merged: ${tasks.join(', ')})` : ''}` });
      return warningText(conflicts, tasks, head);
    } catch (e) {
      // A failed trial merge only costs the warning; the round goes on as it would without one.
      transcript.append({ t: 'note', text: `conflict warning check failed: ${(e as Error).message}` });
      return undefined;
    }
  };
}

/** The integration head now: locally the branch; in a distributed run, fetched from the run's remote. */
async function integrationHead(job: TaskJob, repo: Repo): Promise<string | null> {
  const branch = integrationBranch(job.runId);
  if (!job.remote) return repo.branchHead(branch);
  const tracking = `refs/remotes/caid-warn/${job.runId}/integration`;
  await fetchRefs(repo, job.remote, [`+refs/heads/${branch}:${tracking}`]);
  return repo.resolve(tracking);
}

export function warningText(paths: string[], tasks: string[], head: string): string {
  const by = tasks.length ? ` by ${tasks.length === 1 ? 'task' : 'tasks'} ${tasks.join(', ')}` : '';
  return [
    `CONFLICT WARNING from caid: your current changes would conflict with work merged into the integration branch${by} while you worked.`,
    `Conflicting files: ${paths.join(', ')}.`,
    `Their merged version is commit ${head.slice(0, 12)} (see it with \`git show ${head.slice(0, 12)}:<file>\`).`,
    'Adapt before you finish: build on their version of those files, or keep your edits out of the lines they changed, so your work merges cleanly.',
  ].join('\n');
}
