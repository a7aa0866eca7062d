import { realpathSync } from 'node:fs';
import path from 'node:path';
import { integrationBranch, taskBranch } from '@caid/core';
import { fetchRefs, pushRefs, type Repo } from '@caid/git';

/**
 * Keeps the coordinator's repository and the workers' git remote in step: the integration branch
 * goes out whenever it moves (workers start from it), and a task branch comes in before it is
 * merged. When the remote is the repository itself, workers push straight into it: nothing to do.
 */
export function remoteSync(repo: Repo, runId: string, remote: string) {
  const self = sameRepo(repo.root, remote);
  const integration = integrationBranch(runId);
  return {
    self,
    async publishIntegration(): Promise<void> {
      if (!self) await pushRefs(repo, remote, [`+refs/heads/${integration}:refs/heads/${integration}`]);
    },
    async fetchTask(taskId: string): Promise<void> {
      const b = taskBranch(runId, taskId);
      if (!self) await fetchRefs(repo, remote, [`+refs/heads/${b}:refs/heads/${b}`]);
    },
  };
}

function sameRepo(root: string, remote: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) && !remote.startsWith('file://')) return false;
  const p = remote.startsWith('file://') ? new URL(remote).pathname : remote;
  try {
    return realpathSync(path.resolve(p)) === realpathSync(root) || realpathSync(path.resolve(p)) === realpathSync(path.join(root, '.git'));
  } catch {
    return false;
  }
}
