import { realpathSync } from 'node:fs';
import path from 'node:path';
import { commitRef, commitRefs, integrationBranch, taskBranch } from '@caid/core';
import { deleteRemoteRefs, fetchRefs, listRemoteRefs, pushRefs, type Repo } from '@caid/git';
import { logger } from '@caid/log';

const oplog = logger('orchestrator');

/**
 * Keeps the coordinator's repository and the workers' git remote in step: the integration branch
 * goes out whenever it moves (workers start from it), and a task's accepted commit comes in before
 * it is merged. When the remote is the repository itself, workers push straight into it.
 */
export function remoteSync(repo: Repo, runId: string, remote: string) {
  const self = sameRepo(repo.root, remote);
  const integration = integrationBranch(runId);
  return {
    self,
    async publishIntegration(): Promise<void> {
      if (!self) await pushRefs(repo, remote, [`+refs/heads/${integration}:refs/heads/${integration}`]);
    },
    /**
     * Leaves the task branch at `commit`, the one the accepted result names. A duplicate run of
     * the same round (its job re-added after Redis lost it, or handed on after a stall) may have
     * pushed its own commit over the branch; the accepted one is fetched by its own ref.
     */
    async fetchTask(taskId: string, commit?: string): Promise<void> {
      const b = taskBranch(runId, taskId);
      if (!self) {
        const from = commit ? commitRef(runId, commit) : `refs/heads/${b}`;
        // A worker of an older version pushed no commit ref: the branch is all there is.
        await fetchRefs(repo, remote, [`+${from}:refs/heads/${b}`])
          .catch((e) => (commit ? fetchRefs(repo, remote, [`+refs/heads/${b}:refs/heads/${b}`]) : Promise.reject(e)));
        return;
      }
      const tip = commit ? await repo.branchHead(b) : null;
      if (commit && tip && tip !== commit) await repo.updateBranch(b, commit, tip).catch(oplog.dropped('task branch not moved to the reported commit (it moved meanwhile)', { branch: b, commit }));
    },
    /** End of the run: the per-commit refs go (every accepted commit is on a branch by then). */
    async dropCommitRefs(): Promise<void> {
      const refs = await listRemoteRefs(repo, remote, `${commitRefs(runId)}*`);
      await deleteRemoteRefs(repo, remote, refs);
    },
  };
}

function sameRepo(root: string, remote: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) && !remote.startsWith('file://')) return false;
  const p = remote.startsWith('file://') ? new URL(remote).pathname : remote;
  try {
    return realpathSync(path.resolve(p)) === realpathSync(root) || realpathSync(path.resolve(p)) === realpathSync(path.join(root, '.git'));
  } catch (err) {
    oplog.debug({ err, remote }, 'remote is not a local path of this repository');
    return false;
  }
}
