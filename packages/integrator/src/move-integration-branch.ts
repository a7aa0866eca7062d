import { setTimeout as sleep } from 'node:timers/promises';
import { GitError, type Repo } from '@caid/git';
import { logger } from '@caid/log';

const ilog = logger('integrator');

/** How long a ref lock held by another git process gets to go away before the move gives up. */
const LOCK_RETRIES_MS = [100, 300, 1_000];

/**
 * Moves the integration branch `branch` from `from` to `tip` (compare-and-swap, see
 * Repo.updateBranch): null once it moved, else why it could not, in words for the user. A branch
 * checked out in some work tree (the user's checkout, a worktree an agent made), a ref lock file
 * that stays, or a branch someone else moved is the merge's failure, not the run's: the caller
 * fails the tasks whose merge could not land and goes on. A lock is retried a few times first,
 * since a git process of the user's may hold it for a moment. Anything but a GitError is a bug and
 * is thrown.
 */
export async function moveIntegrationBranch(repo: Repo, branch: string, tip: string, from: string): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      await repo.updateBranch(branch, tip, from);
      return null;
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      const locked = /Unable to create '([^']+\.lock)': File exists/.exec(err.message);
      if (locked && attempt < LOCK_RETRIES_MS.length) {
        ilog.debug({ branch, lock: locked[1], attempt }, 'integration branch locked: trying again');
        await sleep(LOCK_RETRIES_MS[attempt]!);
        continue;
      }
      return `cannot move the integration branch ${branch}: ${explain(err.message, locked?.[1])}`;
    }
  }
}

function explain(message: string, lock: string | undefined): string {
  const holder = /it is checked out in (.+)$/.exec(message)?.[1];
  if (holder) return `it is checked out in ${holder} (switch that checkout to another branch, or remove that worktree)`;
  if (lock) return `its lock file ${lock} stayed (left by a killed git, or another git still running: delete it once no git runs)`;
  if (/is at \w+ but expected/.test(message)) return `it was moved by something other than caid (${lastLine(message)})`;
  return lastLine(message);
}

const lastLine = (s: string) => s.trim().split('\n').at(-1)!.replace(/^fatal: /, '');
