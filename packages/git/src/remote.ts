import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { GitRunner, defaultIdentity, positional } from './git-runner.js';
import { Repo } from './repo.js';
import { serially } from './serially.js';

// Remote operations for distributed runs: a worker's clone of the coordinator's repository,
// and the refs that travel between them. Writes share the repository's serial queue.
const runner = (repo: Repo) => new GitRunner(repo.root, { identity: defaultIdentity });
const shared = <T>(repo: Repo, fn: () => Promise<T>) => serially(`repo:${repo.commonDir}`, fn);

/**
 * Opens the clone of `remote` at `dir`, cloning it first (without a checkout: work happens in
 * worktrees). The clone is made beside `dir` and renamed into place, so a crash never leaves a
 * half-made clone that looks whole.
 */
export async function openClone(remote: string, dir: string): Promise<Repo> {
  return serially(`clone:${dir}`, async () => {
    if (!existsSync(dir)) {
      mkdirSync(path.dirname(dir), { recursive: true });
      const tmp = `${dir}.partial-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      await new GitRunner(path.dirname(dir), { identity: defaultIdentity }).out(['clone', '--quiet', '--no-checkout', '--', positional(remote, 'remote'), tmp]);
      await new GitRunner(tmp, { identity: defaultIdentity }).out(['config', 'gc.auto', '0']);
      renameSync(tmp, dir);
    }
    return Repo.open(dir);
  });
}

/** `git fetch <remote> <refspecs…>` (refspecs may force with a leading `+`). */
export function fetchRefs(repo: Repo, remote: string, refspecs: string[]): Promise<void> {
  return shared(repo, async () => {
    await runner(repo).out(['fetch', '--quiet', '--no-tags', '--', positional(remote, 'remote'), ...refspecs.map((r) => positional(r, 'refspec'))]);
  });
}

/** `git push <remote> <refspecs…>`; a leading `+` forces that ref. */
export async function pushRefs(repo: Repo, remote: string, refspecs: string[]): Promise<void> {
  await runner(repo).out(['push', '--quiet', '--no-verify', '--', positional(remote, 'remote'), ...refspecs.map((r) => positional(r, 'refspec'))]);
}

/**
 * A worktree at `dir` on `branch`, reset to `start`: an existing one is reset hard (a half-done
 * attempt leaves nothing behind); otherwise it is added, creating or resetting the branch.
 */
export async function placeWorktree(repo: Repo, dir: string, branch: string, start: string) {
  const listed = (await repo.listWorktrees()).some((w) => w.path === dir || w.path === path.resolve(dir));
  if (listed && existsSync(dir)) {
    const wt = repo.worktree(dir);
    await wt.abortMerge();
    await wt.resetHard(start);
    return wt;
  }
  return shared(repo, async () => {
    await runner(repo).out(['worktree', 'prune']);
    mkdirSync(path.dirname(dir), { recursive: true });
    await runner(repo).out(['worktree', 'add', '--quiet', '-B', positional(branch, 'branch name'), dir, positional(start)]);
    return repo.worktree(dir);
  });
}
