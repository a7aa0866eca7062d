import { setTimeout as sleep } from 'node:timers/promises';
import { GitError, type Repo } from '@caid/git';
import { logger } from '@caid/log';

const ilog = logger('integrator');

/**
 * The integration branch as caid moves and reads it. Only caid moves it, and only to verified
 * commits; every move goes through moveIntegrationBranch, which records the tip it set. So a head
 * that differs from that tip was moved by something else (an agent's `git update-ref`, a hand):
 * integrationHead puts it back before anything is built on it. Moves and reads of one branch take
 * turns, so a read never sees a move of caid's half done.
 */
const tips = new Map<string, string>();
const turns = new Map<string, Promise<void>>();
const keyOf = (repo: Repo, branch: string) => `${repo.commonDir}\0${branch}`;

function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (turns.get(key) ?? Promise.resolve()).then(fn);
  // expected: the caller awaits `run` and gets its error; this chain only orders the next call.
  turns.set(key, run.then(() => undefined, () => undefined));
  return run;
}

/** Records the commit caid made the branch at (the run's start), so a move by anything else before the first merge is caught too. */
export function recordIntegrationTip(repo: Repo, branch: string, sha: string): void {
  tips.set(keyOf(repo, branch), sha);
}

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
export function moveIntegrationBranch(repo: Repo, branch: string, tip: string, from: string): Promise<string | null> {
  const key = keyOf(repo, branch);
  return inTurn(key, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await repo.updateBranch(branch, tip, from);
        tips.set(key, tip);
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
  });
}

/**
 * The head of the integration branch to build on: where caid last left it. Moved by something
 * else since, it is put back (compare-and-swap) and a warning logged; when it cannot be put back,
 * the moved head is returned and the next move of caid's fails with the reason. Before caid has
 * moved it in this process (a fresh or resumed run), the branch's own head.
 */
export function integrationHead(repo: Repo, branch: string): Promise<string | null> {
  const key = keyOf(repo, branch);
  return inTurn(key, async () => {
    const now = await repo.branchHead(branch);
    const mine = tips.get(key);
    if (mine === undefined || now === mine || now === null) return now;
    try {
      await repo.updateBranch(branch, mine, now);
      ilog.warn({ branch, movedTo: now, putBack: mine }, 'the integration branch was moved by something other than caid: put back where caid left it (nothing unverified is built on)');
      return mine;
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      ilog.warn({ branch, movedTo: now, err: err.message }, 'the integration branch was moved by something other than caid and could not be put back');
      return now;
    }
  });
}

function explain(message: string, lock: string | undefined): string {
  const holder = /it is checked out in (.+)$/.exec(message)?.[1];
  if (holder) return `it is checked out in ${holder} (switch that checkout to another branch, or remove that worktree)`;
  if (lock) return `its lock file ${lock} stayed (left by a killed git, or another git still running: delete it once no git runs)`;
  if (/is at \w+ but expected/.test(message)) return `it was moved by something other than caid (${lastLine(message)})`;
  return lastLine(message);
}

const lastLine = (s: string) => s.trim().split('\n').at(-1)!.replace(/^fatal: /, '');
